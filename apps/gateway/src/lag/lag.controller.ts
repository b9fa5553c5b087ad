import { Controller, Get, UseGuards } from '@nestjs/common';
import { AccessGuard } from '../access/access.guard';
import { Roles } from '../access/roles.decorator';
import { LagSampler } from './lag.sampler';

/** Consumer lag for operators: per group, topic and partition, in messages and seconds, with a status. */
@Controller('v1/ops/lag')
@UseGuards(AccessGuard)
export class LagController {
  constructor(private readonly sampler: LagSampler) {}

  @Get()
  @Roles('ops')
  async lag() {
    return this.sampler.snapshot();
  }
}
