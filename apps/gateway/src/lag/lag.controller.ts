import { Controller, ForbiddenException, Get, Headers, UnauthorizedException } from '@nestjs/common';
import { CredentialsService } from '../credentials/credentials.service';
import { LagSampler } from './lag.sampler';

/** Consumer lag for operators: per group, topic and partition, in messages and seconds, with a status. */
@Controller('v1/ops/lag')
export class LagController {
  constructor(
    private readonly sampler: LagSampler,
    private readonly credentials: CredentialsService,
  ) {}

  @Get()
  async lag(@Headers('authorization') auth?: string) {
    const p = await this.credentials.authenticate(auth);
    if (!p) throw new UnauthorizedException('a valid credential is required');
    if (p.role !== 'ops') throw new ForbiddenException(`the ${p.role} role may not do this`);
    return this.sampler.snapshot();
  }
}
