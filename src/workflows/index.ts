// The worker's workflow bundle: deterministic code only, importing @temporalio/workflow and types.
export { sendEmail } from './send-email.js';
export { contactForm } from './contact-form.js';
export { processUpload } from './process-upload.js';
export { generateOgImage } from './generate-og-image.js';
export { cleanupSessions } from './cleanup-sessions.js';
export { refreshStats } from './refresh-stats.js';
export { pruneOutbox } from './prune-outbox.js';
export { importQuizzes } from './import-quizzes.js';
export { groupGame } from './group-game.js';
export { stopGroupGame } from './stop-group-game.js';
export { telegramCommand } from './telegram-command.js';
