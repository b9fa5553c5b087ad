import { Controller, Get, Header, Query, UseGuards } from '@nestjs/common';
import { AccessGuard } from '../access/access.guard';
import { Public, Roles } from '../access/roles.decorator';
import { BOARD_CSP, BOARD_HTML } from './board.page';
import { Board, BoardQuery } from './board.query';

/**
 * The live board: the page (no data in it, so no credential) and its data, for decision makers, ops
 * and the board's own read-only role (the token a wall screen holds, good for nothing else).
 */
@Controller()
@UseGuards(AccessGuard)
export class BoardController {
  constructor(private readonly query: BoardQuery) {}

  @Get('board')
  @Public()
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
  @Roles('decision-maker', 'ops', 'board')
  async board(@Query('limit') limit?: string): Promise<Board> {
    const n = Math.floor(Number(limit ?? 200));
    return this.query.board(Number.isFinite(n) ? Math.min(2000, Math.max(1, n)) : 200);
  }
}
