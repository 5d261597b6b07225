import Router from '@koa/router';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { jsonBody, parseInput } from '../validate.js';
import { idParam } from '../params.js';
import { requireAdmin } from '../middleware/auth.js';
import { rateLimit } from '../middleware/rate-limit.js';
import { notFound } from '../../lib/errors.js';
import { multiLineText, singleLineText } from '../../lib/text.js';
import { CONTACT_MESSAGE_MAX, CONTACT_NAME_MAX, loadContactStatus, storeContactMessage } from '../../domain/contact.js';

const ContactBody = z.strictObject({
  name: singleLineText().trim().min(1).max(CONTACT_NAME_MAX),
  email: z.string().trim().max(254).email({ pattern: z.regexes.html5Email }),
  message: multiLineText().trim().min(1).max(CONTACT_MESSAGE_MAX),
});

/** The contact form (stored, then mailed by a workflow) and its delivery status for admins. */
export function contactRoutes(deps: AppDeps): Router {
  const router = new Router({ prefix: '/api/v1' });
  const limit = rateLimit(deps, { name: 'contact', points: deps.config.CONTACT_RATE_LIMIT, windowS: 60 });

  router.post('/contact', limit, async (ctx) => {
    const submission = parseInput(ContactBody, jsonBody(ctx));
    const { contact } = await storeContactMessage(deps.db, submission, { clientIp: ctx.ip, requestId: String(ctx.state.requestId) });
    ctx.status = 202;
    ctx.body = { id: String(contact.id), status: contact.status };
  });

  router.get('/admin/contact/:id', requireAdmin(deps), async (ctx) => {
    const status = await loadContactStatus(deps.db, idParam(ctx.params.id, 'Contact message'));
    if (!status) throw notFound('Contact message');
    ctx.set('Cache-Control', 'private, no-store');
    ctx.body = status;
  });

  return router;
}
