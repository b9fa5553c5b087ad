import { BadRequestException, ForbiddenException, HttpException, NotFoundException } from '@nestjs/common';
import { problem } from '@mash/contracts';
import { problemOf } from './problemResponse';

describe('problemOf: every HttpException leaves as one RFC 9457 problem document', () => {
  it("rewrites Nest's own {message, error, statusCode} into a problem of its status", () => {
    expect(problemOf(new NotFoundException("no contact 'CT-1' for police"), '/v1/contacts/CT-1')).toEqual({
      type: '/problems/not-found',
      title: 'Not found',
      status: 404,
      detail: "no contact 'CT-1' for police",
      instance: '/v1/contacts/CT-1',
      errors: [],
    });
    expect(problemOf(new ForbiddenException('the adapter role may not do this'), '/v1/board')).toMatchObject({
      type: '/problems/forbidden',
      status: 403,
      detail: 'the adapter role may not do this',
    });
  });

  it('joins a list of messages, and takes a bare string body as the detail', () => {
    expect(problemOf(new BadRequestException(['a is required', 'b is not a number']), '/x').detail).toBe(
      'a is required; b is not a number',
    );
    expect(problemOf(new HttpException('slow down', 429), '/x')).toMatchObject({
      type: '/problems/too-many-requests',
      status: 429,
      detail: 'slow down',
    });
  });

  it('keeps a problem the hub built as it is, field errors and quarantine id included, adding only the instance', () => {
    const built = problem(422, 'the contact breaks the canonical contact rules', {
      errors: [{ path: '/consent', rule: 'required', message: 'is required' }],
      quarantineId: 7,
    });
    expect(problemOf(new HttpException(built, 422), '/v1/agencies/police/contacts')).toEqual({
      ...built,
      instance: '/v1/agencies/police/contacts',
    });
  });

  it("keeps what a thrower added beside Nest's members (readiness checks) as extension members, never overriding the problem's own", () => {
    const p = problemOf(new HttpException({ status: 'not-ready', checks: { database: 'ok', kafka: 'down' } }, 503), '/health/ready');
    expect(p).toEqual({
      type: '/problems/unavailable',
      title: 'Service unavailable',
      status: 503,
      detail: 'Service unavailable',
      instance: '/health/ready',
      errors: [],
      checks: { database: 'ok', kafka: 'down' },
    });
  });

  it('uses about:blank, titled by the status, for a status with no type of its own', () => {
    expect(problemOf(new HttpException('teapot', 418), '/x')).toMatchObject({
      type: 'about:blank',
      title: 'HTTP 418',
      status: 418,
      detail: 'teapot',
    });
  });
});
