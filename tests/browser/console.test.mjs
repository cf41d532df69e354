// The console sign-in in a real browser (headless Chromium, /usr/bin/chromium): what a person
// does in the tutorial's step 3, through both URL forms, with MFA, as root, failing, being
// throttled and signing out with the button — and the ConsoleLogin records each leaves.
// Run: cd tests/browser && KIROKU_BIN=../../build/release/src/app/kiroku node --test
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { KirokuServer, launchBrowser, stepNow, totp, waitFor } from './harness.mjs';

const ALIAS = 'my-company-alias';
const PASSWORD = 'Example-Passw0rd!';
const INCORRECT = 'Your authentication information is incorrect. Please try again.';

describe('console sign-in in Chromium', () => {
  let server;
  let browser;

  before(async () => {
    server = await new KirokuServer().start();
    browser = await launchBrowser();
    await server.aws('iam', 'create-account-alias', '--account-alias', ALIAS);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function makeUser(name) {
    const user = (await server.aws('iam', 'create-user', '--user-name', name)).User;
    await server.aws('iam', 'create-login-profile', '--user-name', name, '--password', PASSWORD,
                     '--no-password-reset-required');
    return user;
  }

  // A fresh browser context (no cookies) on `url`; returns its page.
  async function open(url) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const response = await page.goto(url);
    assert.equal(response.status(), 200, `GET ${url}`);
    assert.equal(await page.title(), 'Sign in - kiroku');
    return page;
  }

  // Types the form and presses the button, as a person does; returns the response to the POST
  // (the final one after the redirect, if any).
  async function submit(page, username, password, mfaCode) {
    await page.fill('#username', username);
    await page.fill('#password', password);
    if (mfaCode) await page.fill('#mfaCode', mfaCode);
    const [response] = await Promise.all([
      page.waitForNavigation(),
      page.click('button[type=submit]'),
    ]);
    return response;
  }

  async function assertSignedIn(page, who, region) {
    assert.equal(new URL(page.url()).pathname, '/console/home', await page.content());
    assert.equal(new URL(page.url()).searchParams.get('region'), region);
    assert.equal(await page.textContent('#user'), who);
    assert.equal(await page.textContent('#region'), region);
  }

  // The newest ConsoleLogin record of `region` whose userIdentity.userName is `userName`.
  async function record(region, userName) {
    const found = await waitFor(async () =>
      (await server.consoleLogins(region)).find((r) => r.userIdentity.userName === userName));
    assert.ok(found, `no ConsoleLogin record for ${userName} in ${region}`);
    return found;
  }

  test('an IAM user signs in through the alias host URL (the tutorial\'s)', async () => {
    const user = await makeUser('console-user');
    const url = `http://${ALIAS}.signin.localhost:${server.port}/console?region=ap-northeast-1`;
    const page = await open(url);  // Chromium resolves *.localhost to the loopback address
    const response = await submit(page, 'console-user', PASSWORD);
    assert.equal(response.status(), 200);
    await assertSignedIn(page, 'console-user (IAM user)', 'ap-northeast-1');
    assert.equal(new URL(page.url()).host, `${ALIAS}.signin.localhost:${server.port}`);
    const cookies = await page.context().cookies();
    assert.equal(cookies.length, 1);
    assert.equal(cookies[0].name, 'kiroku-console-session');
    assert.equal(cookies[0].httpOnly, true);
    assert.equal(cookies[0].sameSite, 'Lax');

    const r = await record('ap-northeast-1', 'console-user');
    assert.equal(r.eventName, 'ConsoleLogin');
    assert.equal(r.eventSource, 'signin.amazonaws.com');
    assert.deepEqual(r.responseElements, { ConsoleLogin: 'Success' });
    assert.equal(r.userIdentity.type, 'IAMUser');
    assert.equal(r.userIdentity.arn, user.Arn);
    assert.equal(r.additionalEventData.MFAUsed, 'No');
    assert.equal(r.sourceIPAddress, '127.0.0.1');
    assert.match(r.userAgent, /Chrome\//);  // the browser's own User-Agent
    await page.context().close();
  });

  test('an IAM user signs in through the path URL with the account id', async () => {
    await makeUser('path-user');
    const page = await open(
      `http://127.0.0.1:${server.port}/signin/${server.account}/console?region=ap-northeast-3`);
    await submit(page, 'path-user', PASSWORD);
    await assertSignedIn(page, 'path-user (IAM user)', 'ap-northeast-3');
    const r = await record('ap-northeast-3', 'path-user');
    assert.deepEqual(r.responseElements, { ConsoleLogin: 'Success' });
    assert.equal(r.awsRegion, 'ap-northeast-3');
    await page.context().close();
  });

  test('a user with a virtual MFA device signs in with its code', async () => {
    await makeUser('mfa-user');
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kiroku-mfa-'));
    const seedFile = path.join(tmp, 'seed.txt');
    const device = await server.aws('iam', 'create-virtual-mfa-device', '--virtual-mfa-device-name',
                                    'mfa-user-phone', '--outfile', seedFile,
                                    '--bootstrap-method', 'Base32StringSeed');
    const serial = device.VirtualMFADevice.SerialNumber;
    const seed = fs.readFileSync(seedFile, 'utf8').trim();
    fs.rmSync(tmp, { recursive: true, force: true });
    const now = stepNow();
    await server.aws('iam', 'enable-mfa-device', '--user-name', 'mfa-user', '--serial-number',
                     serial, '--authentication-code1', totp(seed, now - 1),
                     '--authentication-code2', totp(seed, now));

    const url = `http://${ALIAS}.signin.localhost:${server.port}/console?region=eu-west-1`;
    const page = await open(url);
    // The password alone is not enough.
    let response = await submit(page, 'mfa-user', PASSWORD);
    assert.equal(response.status(), 401);
    assert.equal(await page.textContent('[role=alert]'), INCORRECT);
    // With the next code (within the window, after the ones enabling used).
    response = await submit(page, 'mfa-user', PASSWORD, totp(seed, stepNow() + 1));
    assert.equal(response.status(), 200);
    await assertSignedIn(page, 'mfa-user (IAM user)', 'eu-west-1');
    assert.match(await page.content(), new RegExp(`used \\(${serial}\\)`));
    const r = await record('eu-west-1', 'mfa-user');
    assert.deepEqual(r.responseElements, { ConsoleLogin: 'Success' });
    assert.equal(r.additionalEventData.MFAUsed, 'Yes');
    assert.equal(r.additionalEventData.MFAIdentifier, serial);
    await page.context().close();
  });

  test('the root user signs in with the password from root-console-password', async () => {
    const root = server.rootLogin();
    const page = await open(
      `http://${ALIAS}.signin.localhost:${server.port}/console?region=ap-northeast-1`);
    await submit(page, root.email, root.password);
    await assertSignedIn(page, `${root.email} (root user)`, 'ap-northeast-1');
    // Root sign-ins are recorded in us-east-1, named by the account alias.
    const r = await record('us-east-1', ALIAS);
    assert.equal(r.userIdentity.type, 'Root');
    assert.equal(r.userIdentity.arn, `arn:aws:iam::${server.account}:root`);
    assert.deepEqual(r.responseElements, { ConsoleLogin: 'Success' });
    await page.context().close();
  });

  test('a wrong password shows the error and is recorded as a failure', async () => {
    await makeUser('typo-user');
    const page = await open(
      `http://127.0.0.1:${server.port}/signin/${ALIAS}/console?region=sa-east-1`);
    const response = await submit(page, 'typo-user', 'not-the-password');
    assert.equal(response.status(), 401);
    assert.equal(await page.textContent('[role=alert]'), INCORRECT);
    assert.equal(await page.inputValue('#username'), 'typo-user');  // refilled
    assert.equal(await page.inputValue('#password'), '');
    assert.deepEqual(await page.context().cookies(), []);
    const r = await record('sa-east-1', 'typo-user');
    assert.deepEqual(r.responseElements, { ConsoleLogin: 'Failure' });
    assert.equal(r.errorMessage, 'Failed authentication');
    await page.context().close();
  });

  test('the fifth failure shows the throttle page, even for the right password', async () => {
    await makeUser('throttled-user');
    const page = await open(
      `http://${ALIAS}.signin.localhost:${server.port}/console?region=ca-central-1`);
    for (let i = 0; i < 5; ++i) {
      const response = await submit(page, 'throttled-user', `wrong-${i}`);
      assert.equal(response.status(), 401, `attempt ${i + 1}`);
    }
    const response = await submit(page, 'throttled-user', PASSWORD);
    assert.equal(response.status(), 429);
    assert.equal(response.headers()['retry-after'], '300');
    assert.match(await page.textContent('[role=alert]'),
                 /^Too many failed sign-in attempts\. Try again in 300 seconds\.$/);
    const records = (await server.consoleLogins('ca-central-1'))
      .filter((r) => r.userIdentity.userName === 'throttled-user');
    assert.equal(records.length, 5);  // the throttled attempt was never checked
    await page.context().close();
  });

  test('the sign-out button ends the session', async () => {
    await makeUser('signout-user');
    const base = `http://${ALIAS}.signin.localhost:${server.port}`;
    const page = await open(`${base}/console?region=us-west-2`);
    await submit(page, 'signout-user', PASSWORD);
    await assertSignedIn(page, 'signout-user (IAM user)', 'us-west-2');
    // Following a link to the sign-out URL only asks.
    const ask = await page.goto(`${base}/console/signout`);
    assert.equal(ask.status(), 200);
    await page.goto(`${base}/console/home?region=us-west-2`);
    await assertSignedIn(page, 'signout-user (IAM user)', 'us-west-2');
    // The button posts from the console's own page.
    const [response] = await Promise.all([page.waitForNavigation(), page.click('#signout')]);
    assert.equal(response.status(), 200);
    assert.equal(new URL(page.url()).pathname, `/signin/${server.account}/console`);
    assert.equal(await page.title(), 'Sign in - kiroku');
    assert.deepEqual(await page.context().cookies(), []);
    await page.goto(`${base}/console/home?region=us-west-2`);
    assert.equal(await page.title(), 'Sign in - kiroku');  // sent back to sign in
    await page.context().close();
  });
});
