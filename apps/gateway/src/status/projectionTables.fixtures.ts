import { GatewayTables1700000000100 } from '../migrations/1700000000100-gateway-tables';
import { BoardAgencyStatus1700000000160 } from '../migrations/1700000000160-board-agency-status';
import { GatewayRetention1700000000170 } from '../migrations/1700000000170-gateway-retention';
import { CaseProgress1700000000180 } from '../migrations/1700000000180-case-progress';
import { CasePictureRatings1700000000200 } from '../migrations/1700000000200-case-picture-ratings';

/** The gateway's migrations up to the tables its projections write (status, board, indicators): what their specs build. */
export const PROJECTION_MIGRATIONS = [
  GatewayTables1700000000100,
  BoardAgencyStatus1700000000160,
  GatewayRetention1700000000170,
  CaseProgress1700000000180,
  CasePictureRatings1700000000200,
];
