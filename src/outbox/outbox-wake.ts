/**
 * How the outbox dispatcher hears of new entries within milliseconds rather than at its next poll: a
 * deferred trigger on `outbox` (migration 20261126060000_outbox_notify_when_idle) runs at commit and sends
 * `pg_notify('quiz_outbox', '')` when no untried entry is pending below the new one: while one is, the
 * dispatcher is already on its way and looks again after each pass that started something (a NOTIFY per
 * insert serialised the API's commits on PostgreSQL's notify lock).
 *
 * So no writer can forget to wake the dispatcher, a rolled-back write wakes nobody, and the wake costs
 * the request nothing: no statement of its own, no round trip (a NOTIFY sent separately after each
 * contact post was ~20 % of that request's CPU). Notifications of one transaction arrive as one. The API
 * never talks to Temporal on a request's path; one place, the dispatcher, starts every workflow.
 */

/** The NOTIFY channel of the trigger; the migration spells it out, a test keeps the two the same. */
export const OUTBOX_CHANNEL = 'quiz_outbox';
