// The worker's workflow bundle: deterministic code only, importing @temporalio/workflow and types.
export { sendEmail } from './send-email.js';
