import { Controller, Get } from '@nestjs/common';
import { buildAsyncApi } from '@mash/contracts/asyncapi/generate';
import { buildOpenApi } from './openapi';

/** The published contracts, generated from libs/contracts at start-up and served as they are. */
@Controller()
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
