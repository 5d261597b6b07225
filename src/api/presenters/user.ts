import type { SessionUser } from '../../domain/sessions.js';

/** The user as API.md shows it. */
export function presentUser(user: SessionUser) {
  return {
    id: String(user.id),
    telegramId: user.telegramId,
    username: user.username,
    firstName: user.firstName,
    isAdmin: user.isAdmin,
  };
}
