import type { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '#adapters/local/sqlite-database.ts';
import { SqliteMessageQueue } from '#adapters/local/sqlite-message-queue.ts';
import { SqliteQueue } from '#adapters/local/sqlite-queue.ts';
import { ManualClock, useTempDirs } from './support/temp-dir.ts';

const tempDir = useTempDirs();
const open: DatabaseSync[] = [];

afterEach(() => {
  for (const db of open.splice(0)) if (db.isOpen) db.close();
});

async function setup(maxReceiveCount = 3) {
  const dir = await tempDir();
  const clock = new ManualClock();
  const db = openDatabase(dir);
  open.push(db);
  return { dir, clock, db, queue: new SqliteQueue(db, { maxReceiveCount, clock }) };
}

const VT = { maxMessages: 10, visibilityTimeoutSeconds: 30 };

describe('SqliteQueue', () => {
  it('delivers a sent body once per receive, with a receive count and a fresh receipt handle', async () => {
    const { queue, clock } = await setup();
    const id = queue.send('validate', '{"jobId":"j1"}');

    const [first] = queue.receive('validate', VT);
    const again = queue.receive('validate', VT);
    clock.advance(30);
    const [second] = queue.receive('validate', VT);

    expect(first).toMatchObject({ messageId: id, body: '{"jobId":"j1"}', receiveCount: 1 });
    expect(again).toEqual([]);
    expect(second).toMatchObject({ messageId: id, receiveCount: 2, firstReceivedAt: first?.firstReceivedAt });
    expect(second?.receiptHandle).not.toBe(first?.receiptHandle);
  });

  it('expedites a delayed message by its body id, once, and wakes whoever listens for sends', async () => {
    // Prepare
    const { queue } = await setup();
    queue.send('verify', '{"jobId":"j1","id":"wait-1"}', { delaySeconds: 480, bodyId: 'wait-1' });
    queue.send('verify', '{"jobId":"j2","id":"wait-2"}', { delaySeconds: 480, bodyId: 'wait-2' });
    const woken: string[] = [];
    queue.onSend((name, how) => woken.push(`${name} ${how}`));
    // Act
    const expedited = queue.expedite('verify', 'wait-1');
    const [received] = queue.receive('verify', VT);
    const again = queue.expedite('verify', 'wait-1');
    const elsewhere = queue.expedite('validate', 'wait-2');
    // Assess
    expect([expedited, again, elsewhere]).toEqual([true, false, false]);
    expect(received?.body).toBe('{"jobId":"j1","id":"wait-1"}');
    expect(queue.receive('verify', VT)).toEqual([]);
    expect(woken).toEqual(['verify expedited']);
  });

  it('expedites a stage message sent through the Queue port by its send id', async () => {
    // Prepare
    const { queue } = await setup();
    const port = new SqliteMessageQueue(queue, ['verify']);
    const message = { jobId: 'j1', stage: 'verify', hop: 0, seq: 4, id: 'send-4' };
    await port.send('verify', message, { delaySeconds: 480 });
    // Act
    const expedited = await port.expedite('verify', 'send-4');
    // Assess
    expect(expedited).toBe(true);
    expect(queue.receive('verify', VT).map((m) => JSON.parse(m.body))).toEqual([message]);
  });

  it('opens a database from before body ids: its waiting messages arrive when due, new ones expedite', async () => {
    // Prepare: the queue table as the previous release made it, one message waiting in it
    const dir = await tempDir();
    const clock = new ManualClock();
    const db = openDatabase(dir);
    open.push(db);
    db.exec(`CREATE TABLE queue_messages (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
      queue TEXT NOT NULL, body TEXT NOT NULL, sent_at INTEGER NOT NULL, visible_at INTEGER NOT NULL,
      receive_count INTEGER NOT NULL DEFAULT 0, first_received_at INTEGER, receipt_handle TEXT UNIQUE) STRICT`);
    const now = clock.now().getTime();
    db.prepare(
      'INSERT INTO queue_messages (id, queue, body, sent_at, visible_at) VALUES (?, ?, ?, ?, ?)',
    ).run('m-old', 'verify', '{"jobId":"j1","id":"wait-old"}', now, now + 480_000);
    // Act
    const queue = new SqliteQueue(db, { maxReceiveCount: 3, clock });
    queue.send('verify', '{"jobId":"j2","id":"wait-new"}', { delaySeconds: 480, bodyId: 'wait-new' });
    const expedited = [queue.expedite('verify', 'wait-old'), queue.expedite('verify', 'wait-new')];
    const woken = queue.receive('verify', VT);
    for (const message of woken) queue.delete('verify', message.receiptHandle);
    clock.advance(480);
    const due = queue.receive('verify', VT).map((m) => m.body);
    // Assess
    expect(expedited).toEqual([false, true]);
    expect(woken.map((m) => m.body)).toEqual(['{"jobId":"j2","id":"wait-new"}']);
    expect(due).toEqual(['{"jobId":"j1","id":"wait-old"}']);
  });

  it('expedites every delayed message of the named queues that was never received', async () => {
    // Prepare
    const { queue } = await setup();
    queue.send('verify', 'waiting', { delaySeconds: 480 });
    queue.send('validate', 'elsewhere', { delaySeconds: 480 });
    queue.send('verify', 'in flight');
    queue.receive('verify', VT);
    // Act
    const woken = queue.expediteDelayed(['verify', 'upload-package']);
    // Assess
    expect(woken).toBe(1);
    expect(queue.receive('verify', VT).map((m) => m.body)).toEqual(['waiting']);
    expect(queue.receive('validate', VT)).toEqual([]);
  });

  it('keeps a received message hidden until its visibility timeout ends', async () => {
    const { queue, clock } = await setup();
    queue.send('verify', 'a');
    queue.receive('verify', VT);

    clock.advance(29.9);
    const early = queue.receive('verify', VT);
    clock.advance(0.1);
    const onTime = queue.receive('verify', VT);

    expect(early).toEqual([]);
    expect(onTime.map((m) => m.body)).toEqual(['a']);
  });

  it('deletes by the current receipt handle only', async () => {
    const { queue, clock } = await setup();
    queue.send('verify', 'a');
    const [stale] = queue.receive('verify', VT);
    clock.advance(30);
    const [current] = queue.receive('verify', VT);

    const deletedStale = queue.delete('verify', stale?.receiptHandle ?? '');
    const deletedCurrent = queue.delete('verify', current?.receiptHandle ?? '');
    clock.advance(60);

    expect(deletedStale).toBe(false);
    expect(deletedCurrent).toBe(true);
    expect(queue.receive('verify', VT)).toEqual([]);
  });

  it('holds a delayed message back until its delay has passed', async () => {
    const { queue, clock } = await setup();
    queue.send('patch-subscription', 'later', { delaySeconds: 45 });
    queue.send('patch-subscription', 'now');

    const first = queue.receive('patch-subscription', VT);
    queue.delete('patch-subscription', first[0]?.receiptHandle ?? '');
    clock.advance(44);
    const stillHidden = queue.receive('patch-subscription', VT);
    clock.advance(1);
    const due = queue.receive('patch-subscription', VT);

    expect(first.map((m) => m.body)).toEqual(['now']);
    expect(stillHidden).toEqual([]);
    expect(due.map((m) => m.body)).toEqual(['later']);
    expect(queue.nextVisibleAt('patch-subscription')).toBeGreaterThan(clock.now().getTime());
  });

  it('receives batches of at most the requested size, oldest first, per queue', async () => {
    const { queue } = await setup();
    for (let i = 0; i < 7; i++) queue.send('upload-package', `m${i}`);
    queue.send('verify', 'other queue');

    const batch1 = queue.receive('upload-package', { maxMessages: 3, visibilityTimeoutSeconds: 30 });
    const batch2 = queue.receive('upload-package', { maxMessages: 3, visibilityTimeoutSeconds: 30 });
    const batch3 = queue.receive('upload-package', { maxMessages: 3, visibilityTimeoutSeconds: 30 });

    expect(batch1.map((m) => m.body)).toEqual(['m0', 'm1', 'm2']);
    expect(batch2.map((m) => m.body)).toEqual(['m3', 'm4', 'm5']);
    expect(batch3.map((m) => m.body)).toEqual(['m6']);
    expect(queue.depth('upload-package')).toEqual({ visible: 0, invisible: 7, deadLetters: 0 });
  });

  it('never hands one message out twice in a batch, even with a zero visibility timeout', async () => {
    const { queue } = await setup();
    queue.send('verify', 'only');

    const batch = queue.receive('verify', { maxMessages: 10, visibilityTimeoutSeconds: 0 });

    expect(batch).toHaveLength(1);
  });

  it('moves a message to the dead-letter table when received again after maxReceiveCount receives', async () => {
    const { queue, clock } = await setup(3);
    const id = queue.send('validate', 'poison');
    queue.send('validate', 'healthy', { delaySeconds: 90 });
    for (let i = 0; i < 3; i++) {
      expect(queue.receive('validate', VT).map((m) => m.body)).toEqual(['poison']);
      clock.advance(30);
    }

    const fourth = queue.receive('validate', VT);

    expect(fourth.map((m) => m.body)).toEqual(['healthy']);
    expect(queue.deadLetters('validate')).toEqual([
      expect.objectContaining({ messageId: id, body: 'poison', receiveCount: 3 }),
    ]);
    expect(queue.depth('validate')).toMatchObject({ deadLetters: 1 });
  });

  it('keeps messages across a close and reopen; an in-flight one reappears after its timeout', async () => {
    const { dir, db, queue, clock } = await setup();
    queue.send('verify', 'in flight');
    queue.send('verify', 'waiting', { delaySeconds: 10 });
    queue.receive('verify', { maxMessages: 1, visibilityTimeoutSeconds: 30 });
    db.close();

    const reopened = openDatabase(dir);
    open.push(reopened);
    const again = new SqliteQueue(reopened, { maxReceiveCount: 3, clock });
    clock.advance(10);
    const afterDelay = again.receive('verify', VT);
    clock.advance(20);
    const afterTimeout = again.receive('verify', VT);

    expect(afterDelay.map((m) => m.body)).toEqual(['waiting']);
    expect(afterTimeout.map((m) => [m.body, m.receiveCount])).toEqual([['in flight', 2]]);
  });

  it('tells listeners about sends so idle pollers can wake', async () => {
    const { queue } = await setup();
    const heard: string[] = [];
    const unsubscribe = queue.onSend((name) => heard.push(name));

    queue.send('verify', 'x');
    unsubscribe();
    queue.send('validate', 'y');

    expect(heard).toEqual(['verify']);
  });
});
