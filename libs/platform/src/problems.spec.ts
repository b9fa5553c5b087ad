import { BadRequestException, Controller, Get, HttpException, INestApplication, UnauthorizedException } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { PROBLEM_MEDIA_TYPE } from '@mash/contracts';
import { ProblemFilter } from './problems';

@Controller('t')
class Throwing {
  @Get('unauthorised')
  unauthorised() {
    throw new UnauthorizedException('the ratings matrix needs the ops reader token');
  }
  @Get('bad')
  bad() {
    throw new BadRequestException(['from must be an ISO date', 'to must be an ISO date']);
  }
  @Get('not-ready')
  notReady() {
    throw new HttpException({ status: 'not-ready', checks: { database: 'ok', kafka: 'down' } }, 503);
  }
  @Get('bug')
  bug() {
    throw new TypeError('Cannot read properties of undefined (reading "Jane Doe")');
  }
}

describe('ProblemFilter: every service answers errors as RFC 9457 problems', () => {
  let app: INestApplication;
  beforeAll(async () => {
    const mod = await Test.createTestingModule({ controllers: [Throwing] }).compile();
    app = mod.createNestApplication({ logger: false });
    app.useGlobalFilters(new ProblemFilter());
    await app.init();
  });
  afterAll(() => app.close());

  it.each([
    ['/t/unauthorised', 401, '/problems/unauthenticated', 'the ratings matrix needs the ops reader token'],
    ['/t/bad', 400, '/problems/unreadable-body', 'from must be an ISO date; to must be an ISO date'],
    ['/nowhere', 404, '/problems/not-found', 'Cannot GET /nowhere'],
  ])('%s answers %i as a problem document naming the reason', async (path, status, type, detail) => {
    const res = await request(app.getHttpServer()).get(path);
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toContain(PROBLEM_MEDIA_TYPE);
    expect(JSON.parse(res.text)).toMatchObject({ type, status, detail, instance: path.split('?')[0], errors: [] });
  });

  it('keeps what a 503 said beside the problem members (readiness checks)', async () => {
    const res = await request(app.getHttpServer()).get('/t/not-ready');
    expect(res.status).toBe(503);
    expect(JSON.parse(res.text)).toMatchObject({ status: 503, type: '/problems/unavailable', checks: { database: 'ok', kafka: 'down' } });
  });

  it('answers an unexpected error 500 without its message, which could carry case content', async () => {
    const res = await request(app.getHttpServer()).get('/t/bug');
    expect(res.status).toBe(500);
    expect(JSON.parse(res.text)).toMatchObject({ status: 500, type: '/problems/internal-error' });
    expect(res.text).not.toContain('Jane Doe');
  });
});
