// What goes wrong in a BGP message, and what RFC 7606 says to do about it, decided here and
// nowhere else: the decoders only report what is malformed; this file picks the consequence.
import { FibscopeError } from '../../errors.js';
import { AttributeType, ErrorCode, UpdateSubcode, describeError } from './constants.js';

/**
 * A message the session cannot go on with: carries the NOTIFICATION to send (code, subcode,
 * data) and a reason naming the message, the field and the offending value.
 */
export class BgpMessageError extends FibscopeError {
  readonly errorCode: number;
  readonly subcode: number;
  readonly data: Uint8Array;
  readonly reason: string;
  constructor(errorCode: number, subcode: number, reason: string, data: Uint8Array = new Uint8Array(0)) {
    super('BGP_MESSAGE', `${describeError(errorCode, subcode)}: ${reason}`);
    this.errorCode = errorCode;
    this.subcode = subcode;
    this.reason = reason;
    this.data = data;
  }
}

/**
 * RFC 7606 2: the three ways to handle a bad UPDATE, mildest first. `attribute-discard` drops the
 * attribute and keeps the routes; `treat-as-withdraw` withdraws every prefix the UPDATE announces;
 * `session-reset` sends a NOTIFICATION and ends the session.
 */
export type ErrorAction = 'attribute-discard' | 'treat-as-withdraw' | 'session-reset';
const SEVERITY: Record<ErrorAction, number> = { 'attribute-discard': 0, 'treat-as-withdraw': 1, 'session-reset': 2 };

export type UpdateOutcome = 'ok' | ErrorAction;

/** One thing found wrong in an UPDATE and what was done about it. */
export interface UpdateProblem {
  readonly action: ErrorAction;
  /** The attribute's type code, absent for the withdrawn routes, the NLRI or the attribute list as a whole. */
  readonly attributeType?: number;
  readonly reason: string;
}

/** The worse of two outcomes (an UPDATE's outcome is its worst problem's action). */
export function worseOutcome(a: UpdateOutcome, b: ErrorAction): UpdateOutcome {
  return a === 'ok' || SEVERITY[b] > SEVERITY[a] ? b : a;
}

/**
 * RFC 7606 7 (and RFC 6793 6, RFC 8092 6): the action for a malformed attribute of this type,
 * wrong flags included (7606 3 c). Unrecognised optional attributes are never malformed (they are
 * passed over unread).
 */
export function malformedAttributeAction(type: number): ErrorAction {
  switch (type) {
    case AttributeType.ATOMIC_AGGREGATE: // 7606 7.6
    case AttributeType.AGGREGATOR: // 7606 7.7
    case AttributeType.AS4_PATH: // 6793 6
    case AttributeType.AS4_AGGREGATOR: // 6793 6
      return 'attribute-discard';
    case AttributeType.MP_REACH_NLRI: // 7606 3 (d), 7.11: the NLRI cannot be located, so nothing can be withdrawn
    case AttributeType.MP_UNREACH_NLRI:
      return 'session-reset';
    default: // ORIGIN 7.1, AS_PATH 7.2, NEXT_HOP 7.3, MED 7.4, LOCAL_PREF 7.5, COMMUNITIES 7.8, LARGE_COMMUNITIES (8092 6)
      return 'treat-as-withdraw';
  }
}

/** RFC 7606 3 (g): a repeated attribute is dropped (the first one counts), a repeated MP_(UN)REACH_NLRI resets the session. */
export function duplicateAttributeAction(type: number): ErrorAction {
  return type === AttributeType.MP_REACH_NLRI || type === AttributeType.MP_UNREACH_NLRI ? 'session-reset' : 'attribute-discard';
}

/** RFC 7606 3 (d): a well-known mandatory attribute missing from an UPDATE that announces routes. */
export const MISSING_MANDATORY_ACTION: ErrorAction = 'treat-as-withdraw';

/**
 * RFC 7606 4: an attribute whose length runs past the Total Path Attribute Length, or fewer than
 * 3 (4 with Extended Length) octets left for a header; the total length still finds the NLRI.
 */
export const ATTRIBUTE_LIST_OVERRUN_ACTION: ErrorAction = 'treat-as-withdraw';

/** The NOTIFICATION subcode that goes with a session reset caused by an attribute of this type. */
export function resetSubcode(type: number | undefined, flagsWrong: boolean): number {
  if (flagsWrong) return UpdateSubcode.ATTRIBUTE_FLAGS_ERROR;
  switch (type) {
    case undefined: return UpdateSubcode.MALFORMED_ATTRIBUTE_LIST;
    case AttributeType.MP_REACH_NLRI:
    case AttributeType.MP_UNREACH_NLRI: return UpdateSubcode.OPTIONAL_ATTRIBUTE_ERROR;
    default: return UpdateSubcode.MALFORMED_ATTRIBUTE_LIST;
  }
}

/** The error for an UPDATE the session must not survive. */
export function updateError(subcode: number, reason: string, data?: Uint8Array): BgpMessageError {
  return new BgpMessageError(ErrorCode.UPDATE_MESSAGE, subcode, reason, data);
}
