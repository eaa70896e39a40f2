// Owns the classification contract the analyzer, the CLI and the workers use: reply kinds, customer flags, canned replies.
import type { CustomerClassification, ReplyClassification } from '../types.ts';
import { classifyCustomerText } from './customer.ts';
import { classifyReplyText } from './reply.ts';

export { CannedDetector } from './canned.ts';
export { COMPLAINT_THRESHOLD } from './customer.ts';

export interface ReplyContext {
  customerName?: string;
  customerUsername?: string;
  /** false: the rules alone decide the kind; the deflection model gives no second opinion (a policy setting). */
  deflectionModel?: boolean;
}

/** Kind of a brand reply plus personality (signed, uses_name, empathy; `canned` comes from CannedDetector). */
export function classifyReply(text: string, ctx?: ReplyContext): ReplyClassification {
  return classifyReplyText(text, ctx);
}

export interface CustomerContext {
  /** The customer already wrote and no brand reply came yet: bare "?" or "hello" counts as a nudge. */
  awaitingReply?: boolean;
  unansweredCount?: number;
}

/** Flags of a customer tweet, with a complaint score in 0..1 and the threshold applied. */
export function classifyCustomer(text: string, ctx?: CustomerContext): CustomerClassification {
  return classifyCustomerText(text, ctx);
}
