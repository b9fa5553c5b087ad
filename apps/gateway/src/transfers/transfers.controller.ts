import { Body, Controller, HttpCode, Param, Post, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { Contact } from '@mash/contracts';
import { Outbox } from '@mash/messaging';
import { AccessGuard } from '../access/access.guard';
import { Public } from '../access/roles.decorator';
import { DisclosureAudit } from '../audit/disclosureAudit';
import { IntakeService } from '../intake/intake.service';
import { reject } from '../intake/rejection';
import { QuarantineService } from '../quarantine/quarantine.service';
import { HubKeys } from './hubKeys';
import {
  claimedSigner,
  RECEIPT_TYP,
  signEnvelope,
  SignatureRefused,
  TRANSFER_TYP,
  TransferPayload,
  TransferReceipt,
  verifyEnvelope,
} from './transferEnvelope';

const CHANNEL = 'hub-transfer';

/**
 * The front door for another authority's MASH handing a child over (docs/hub-to-hub.md). No bearer
 * credential: the request is the transfer itself, a JWS signed by the sending hub and verified
 * against the public key the locality policy lists for that neighbour. A refused signature is
 * answered with a problem document and the body is kept in the quarantine with the reason.
 * An accepted transfer becomes a contact like any other (CIN referral source 5C, another local
 * authority), and the answer carries this hub's signed receipt.
 */
@Controller('v1/hubs/:hubId/transfers')
@UseGuards(AccessGuard)
export class TransfersController {
  constructor(
    private readonly ds: DataSource,
    private readonly keys: HubKeys,
    private readonly intake: IntakeService,
    private readonly quarantine: QuarantineService,
    private readonly outbox: Outbox,
    private readonly audit: DisclosureAudit,
  ) {}

  @Post()
  @HttpCode(202)
  @Public()
  async receive(@Param('hubId') hubId: string, @Body() body: unknown, @Res({ passthrough: true }) res: Response) {
    const sender = `hub:${hubId.slice(0, 63)}`;
    const refuse = (status: number, reason: string, path = '/', rule = 'signature') =>
      reject(this.quarantine, { sender, channel: CHANNEL, status, reason, errors: [{ path, rule, message: reason }], raw: body });
    const area = this.keys.area;
    const key = await this.keys.signingKey();
    // Without its own key this hub could not acknowledge: refuse before accepting anything.
    if (!area || !key)
      return refuse(503, 'this hub cannot receive transfers: no area or no signing key is configured', '/', 'configuration');
    const n = this.keys.neighbour(hubId);
    if (!n.ok) return refuse(401, `signature refused: ${n.reason}`, '/', 'known-neighbour');
    const jws = typeof body === 'string' ? body.trim() : '';
    const claimed = claimedSigner(jws);
    if (claimed.kid !== undefined && claimed.kid !== hubId)
      return refuse(
        401,
        `signature refused: signed as '${String(claimed.kid).slice(0, 63)}', posted as '${hubId.slice(0, 63)}'`,
        '/kid',
        'signer',
      );
    let payload: TransferPayload;
    try {
      payload = await verifyEnvelope<TransferPayload>(jws, n.hub.publicKeyJwk, TRANSFER_TYP);
    } catch (err) {
      if (err instanceof SignatureRefused) return refuse(401, `signature refused: ${err.message}`);
      throw err;
    }
    if (payload.toHub !== area.hubId)
      return refuse(
        403,
        `the transfer is addressed to '${String(payload.toHub).slice(0, 63)}', not to ${area.hubId}`,
        '/toHub',
        'addressee',
      );
    if (payload.fromHub?.id !== hubId)
      return refuse(
        403,
        `the transfer says it is from '${String(payload.fromHub?.id).slice(0, 63)}', signed by ${hubId}`,
        '/fromHub/id',
        'signer',
      );
    if (typeof payload.transferId !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._:-]{0,80}$/.test(payload.transferId))
      return refuse(422, 'transferId is missing or not an id', '/transferId', 'pattern');

    const contact = this.asContactFromAnotherMash(payload, n.hub.name);
    const outcome = await this.ds.transaction(async (m) => {
      // The council's own front door (the contact centre) is where a neighbour's MASH hands over.
      const r = await this.intake.accept('contact-centre', contact, m);
      if (r.kind !== 'invalid') {
        await this.audit.record(
          {
            principal: sender,
            action: 'transfer-received',
            contactId: r.contactId,
            detail: {
              transferId: payload.transferId,
              fromHub: hubId,
              theirCaseId: payload.caseId,
              theirDecisionId: payload.decisionId,
              status: r.kind,
            },
          },
          m,
        );
      }
      return r;
    });
    if (outcome.kind === 'invalid') {
      return reject(this.quarantine, {
        sender,
        channel: CHANNEL,
        status: 422,
        reason: 'the transferred contact breaks the canonical contact rules',
        errors: outcome.errors.map((e) => ({ ...e, path: `/contact${e.path}` })),
        raw: body,
      });
    }
    this.outbox.nudge();
    const receipt: TransferReceipt = {
      transferId: payload.transferId,
      hub: area.hubId,
      contactId: outcome.contactId,
      receivedAt: outcome.receivedAt,
      status: outcome.kind,
    };
    if (outcome.kind === 'already-received') res.status(200);
    return { ...receipt, receipt: await signEnvelope(receipt, key, area.hubId, RECEIPT_TYP) };
  }

  /**
   * The contact as this hub takes it: the sending MASH is the referrer (CIN source 5C, another local
   * authority, docs/formats.md), named from our own policy, not from what it says of itself; the
   * transfer id is its reference, so the same transfer twice is the same contact. It is told the
   * outcome through the receipt, so no notice channel is kept for it.
   */
  private asContactFromAnotherMash(p: TransferPayload, neighbourName: string): Contact {
    const sent = (p.contact ?? {}) as Partial<Contact>;
    return {
      ...(sent as Contact),
      agencyReference: `${p.fromHub.id}:${p.transferId}`.slice(0, 100),
      referrer: {
        organisation: neighbourName,
        role: 'Multi-Agency Safeguarding Hub',
        source: '5C',
        channel: { kind: 'none', reason: 'no-contact-details' },
      },
    };
  }
}
