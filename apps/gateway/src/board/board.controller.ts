import { Controller, ForbiddenException, Get, Header, Headers, Query, UnauthorizedException } from '@nestjs/common';
import { CredentialsService } from '../credentials/credentials.service';
import { BOARD_CSP, BOARD_HTML } from './board.page';
import { Board, BoardQuery } from './board.query';

/** The live board: the page (no data in it, so no credential) and its data (decision makers and ops). */
@Controller()
export class BoardController {
  constructor(
    private readonly query: BoardQuery,
    private readonly credentials: CredentialsService,
  ) {}

  @Get('board')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', BOARD_CSP)
  @Header('Referrer-Policy', 'no-referrer')
  @Header('X-Content-Type-Options', 'nosniff')
  @Header('Cache-Control', 'no-cache')
  page(): string {
    return BOARD_HTML;
  }

  @Get('v1/board')
  @Header('Cache-Control', 'no-store')
  async board(@Headers('authorization') auth?: string, @Query('limit') limit?: string): Promise<Board> {
    const p = await this.credentials.authenticate(auth);
    if (!p) throw new UnauthorizedException('a valid credential is required');
    if (p.role !== 'decision-maker' && p.role !== 'ops') throw new ForbiddenException(`the ${p.role} role may not see the board`);
    const n = Math.floor(Number(limit ?? 200));
    return this.query.board(Number.isFinite(n) ? Math.min(2000, Math.max(1, n)) : 200);
  }
}
