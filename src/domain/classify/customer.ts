// Owns the customer tweet decision: flags (question, nudge, churn threat, escalation, thanks) and the complaint score.
import type { CustomerClassification, CustomerFlag } from '../types.ts';
import { complaintModelScore } from './complaint-model.ts';
import { CUSTOMER_RULESET } from './customer-rules.ts';
import { reason, type Hit } from './rules.ts';

export interface CustomerCtx {
  awaitingReply?: boolean;
  unansweredCount?: number;
}

/** Score at or above which `complaint` is flagged; chosen on the train+dev split (docs/quality.md). */
export const COMPLAINT_THRESHOLD = 0.5;

// A bare chaser: "?", "hello??", "hi", "..." — only a nudge when the customer is already waiting.
const BARE_CHASER_RE = /^(?:\s*@\w+)*[\s.!?]*(?:hello+|hi+|hey+|helo+|yo|anyone|\?+|\.{3,}|ping|bump|and\??|so\??|well\??|still\??)?[\s.!?]*$/i;

export function classifyCustomerText(text: string, ctx?: CustomerCtx): CustomerClassification {
  const hits = CUSTOMER_RULESET.scan(text);
  const flags: CustomerFlag[] = [];
  const reasons: string[] = [];
  const first = new Map<string, Hit>();
  let neg = 0;
  let pos = 0;
  for (const h of hits) {
    if (!first.has(h.label)) first.set(h.label, h);
    if (h.label === 'neg') neg++;
    else if (h.label === 'pos') pos++;
  }

  const model = complaintModelScore(text);
  let score = model.score;
  const churn = first.get('churn_threat');
  const escalation = first.get('escalation');
  // Threatening to leave or tagging a regulator is a complaint whatever the wording.
  if (churn || escalation) score = Math.max(score, 0.9);
  const nudge = first.get('nudge');
  const awaiting = ctx?.awaitingReply === true || (ctx?.unansweredCount ?? 0) > 0;
  if (nudge && awaiting) score = Math.max(score, 0.6);
  score = Math.round(score * 1000) / 1000;

  if (score >= COMPLAINT_THRESHOLD) {
    flags.push('complaint');
    const cues = hits.filter((h) => h.label === 'neg').slice(0, 3).map((h) => `'${h.text.trim()}'`);
    reasons.push(`complaint: score ${score} >= ${COMPLAINT_THRESHOLD}${cues.length ? ` (${cues.join(', ')})` : ''}${model.top ? `; model: ${model.top}` : ''}`);
  }
  const q = first.get('question');
  if (q) {
    flags.push('question');
    reasons.push(reason('question', q.text === '?' ? "'?'" : q.text));
  }
  if (nudge) {
    flags.push('nudge');
    reasons.push(reason('nudge', nudge.text));
  } else if (awaiting && BARE_CHASER_RE.test(text)) {
    flags.push('nudge');
    reasons.push(`nudge: bare follow-up while awaiting a reply`);
  }
  if (churn) {
    flags.push('churn_threat');
    reasons.push(reason('churn_threat', churn.text));
  }
  if (escalation) {
    flags.push('escalation');
    reasons.push(reason('escalation', escalation.text));
  }
  const thanks = first.get('thanks');
  // Sarcastic thanks ("thanks for stranding me") come with a high complaint score.
  if (thanks && !first.has('not_thanks') && score < 0.6) {
    flags.push('thanks');
    reasons.push(reason('thanks', thanks.text));
  }
  void pos;
  return { flags, complaintScore: score, reasons };
}
