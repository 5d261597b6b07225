import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeSmtpFailure, isPermanentSmtpFailure } from '../../src/activities/smtp-failures.js';

const smtpError = (fields: Record<string, unknown>) => Object.assign(new Error('send failed'), fields);

test('5xx answers and unusable envelopes are permanent; 4xx, timeouts and connection failures are not', () => {
  assert.equal(isPermanentSmtpFailure(smtpError({ responseCode: 550, code: 'EENVELOPE' })), true);
  assert.equal(isPermanentSmtpFailure(smtpError({ responseCode: 554, code: 'EMESSAGE' })), true);
  assert.equal(isPermanentSmtpFailure(smtpError({ code: 'EENVELOPE' })), true);
  assert.equal(isPermanentSmtpFailure(smtpError({ responseCode: 451, code: 'EENVELOPE' })), false);
  assert.equal(isPermanentSmtpFailure(smtpError({ responseCode: 421 })), false);
  assert.equal(isPermanentSmtpFailure(smtpError({ code: 'ETIMEDOUT' })), false);
  assert.equal(isPermanentSmtpFailure(smtpError({ code: 'ECONNECTION' })), false);
  assert.equal(isPermanentSmtpFailure(new Error('socket hang up')), false);
});

test('the reason is the server answer when there is one', () => {
  assert.equal(describeSmtpFailure(smtpError({ response: '550 5.1.1 No such user' })), '550 5.1.1 No such user');
  assert.equal(describeSmtpFailure(new Error('connect ECONNREFUSED')), 'connect ECONNREFUSED');
});
