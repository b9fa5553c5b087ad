import { Controller, Get, Header, NotFoundException, Param, UseGuards } from '@nestjs/common';
import { PROBLEM_TYPES, problemTypeUri } from '@mash/contracts';
import { AccessGuard } from '../access/access.guard';
import { Public } from '../access/roles.decorator';

/** Each problem type the API answers with, dereferenceable: what it means and what to do. */
@Controller('problems')
@UseGuards(AccessGuard)
@Public()
export class ProblemsController {
  @Get(':slug')
  @Header('cache-control', 'public, max-age=86400')
  describe(@Param('slug') slug: string) {
    const entry = Object.entries(PROBLEM_TYPES).find(([, t]) => t.slug === slug);
    if (!entry) throw new NotFoundException(`no problem type '${slug.slice(0, 50)}'`);
    const [status, t] = entry;
    return { type: problemTypeUri(t.slug), title: t.title, status: Number(status), description: t.about };
  }
}
