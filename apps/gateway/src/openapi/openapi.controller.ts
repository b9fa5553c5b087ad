import { Controller, Get, UseGuards } from '@nestjs/common';
import { AccessGuard } from '../access/access.guard';
import { Public } from '../access/roles.decorator';
import { buildAsyncApi } from '@mash/contracts/asyncapi/generate';
import { buildOpenApi } from './openapi';

/** The published contracts, generated from libs/contracts at start-up and served as they are. */
@Controller()
@UseGuards(AccessGuard)
@Public()
export class OpenApiController {
  private readonly openApiDoc = buildOpenApi();
  private readonly asyncApiDoc = buildAsyncApi();

  @Get('openapi.json')
  openapi() {
    return this.openApiDoc;
  }

  @Get('asyncapi.json')
  asyncapi() {
    return this.asyncApiDoc;
  }
}
