/**
 * A durable message queue on node:sqlite with the semantics the stage handlers rely on in SQS:
 * delayed delivery, batch receive with a visibility timeout, a receive count, delete by receipt
 * handle, and a dead-letter table a message moves to when it is received again after
 * `maxReceiveCount` receives (as SQS does with a redrive policy). Many named queues share a table.
 * Messages survive restarts; one that was in flight reappears when its visibility timeout ends.
 */
import { randomUUID } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import { ValidationError } from '#domain/errors.ts';
import type { Clock } from '#shared/ports.ts';
import { hasColumn, inTransaction, statement } from './sqlite-database.ts';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS queue_messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    queue TEXT NOT NULL,
    body TEXT NOT NULL,
    sent_at INTEGER NOT NULL,
    visible_at INTEGER NOT NULL,
    receive_count INTEGER NOT NULL DEFAULT 0,
    first_received_at INTEGER,
    receipt_handle TEXT UNIQUE,
    body_id TEXT
  ) STRICT;
  CREATE INDEX IF NOT EXISTS queue_messages_ready ON queue_messages (queue, visible_at, seq);
  CREATE TABLE IF NOT EXISTS queue_dead_letters (
    id TEXT PRIMARY KEY,
    queue TEXT NOT NULL,
    body TEXT NOT NULL,
    sent_at INTEGER NOT NULL,
    receive_count INTEGER NOT NULL,
    dead_at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX IF NOT EXISTS queue_dead_letters_by_queue ON queue_dead_letters (queue, dead_at);
`;

export interface ReceivedMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
  /** Epoch milliseconds. */
  sentAt: number;
  firstReceivedAt: number;
  receiveCount: number;
}

export interface DeadLetter {
  messageId: string;
  body: string;
  sentAt: number;
  receiveCount: number;
  deadAt: number;
}

export interface QueueDepth {
  /** Receivable now. */
  visible: number;
  /** Received and not yet deleted, or delayed. */
  invisible: number;
  deadLetters: number;
}

export interface ReceiveOptions {
  maxMessages: number;
  /** Seconds a received message stays hidden; fractions allowed (tests). */
  visibilityTimeoutSeconds: number;
}

export interface SqliteQueueOptions {
  maxReceiveCount: number;
  clock?: Clock;
}

interface MessageRow {
  seq: number;
  id: string;
  body: string;
  sent_at: number;
  receive_count: number;
  first_received_at: number | null;
}

/** Told of every message that became receivable: `sent` now, or a delayed one `expedited`. */
type SendListener = (queue: string, how: 'sent' | 'expedited') => void;

const systemClock: Clock = { now: () => new Date() };

export class SqliteQueue {
  readonly #db: DatabaseSync;
  readonly #maxReceiveCount: number;
  readonly #clock: Clock;
  readonly #listeners = new Set<SendListener>();

  constructor(db: DatabaseSync, options: SqliteQueueOptions) {
    if (!Number.isInteger(options.maxReceiveCount) || options.maxReceiveCount < 1) {
      throw new ValidationError('maxReceiveCount must be a positive integer');
    }
    this.#db = db;
    this.#maxReceiveCount = options.maxReceiveCount;
    this.#clock = options.clock ?? systemClock;
    db.exec(SCHEMA);
    addBodyIdColumn(db);
  }

  /**
   * Enqueues a body; it becomes receivable after `delaySeconds`. Returns the message id.
   * `bodyId`: the body's own `id` (a stage message's send id), by which `expedite` finds it.
   */
  send(queue: string, body: string, options: { delaySeconds?: number; bodyId?: string } = {}): string {
    const delayMs = Math.max(0, Math.round((options.delaySeconds ?? 0) * 1000));
    const now = this.#now();
    const id = randomUUID();
    statement(
      this.#db,
      'INSERT INTO queue_messages (id, queue, body, sent_at, visible_at, body_id) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(id, queue, body, now, now + delayMs, options.bodyId ?? null);
    for (const listener of this.#listeners) listener(queue, 'sent');
    return id;
  }

  /**
   * Makes a delayed message whose body carries `bodyId` (its `id` field) receivable now, as if it
   * had just been sent; false when no such message is still waiting (received, deleted, never sent).
   */
  expedite(queue: string, bodyId: string): boolean {
    const now = this.#now();
    // By the indexed column: reading every waiting body's JSON made each wake cost the queue's length.
    const changed = statement(
      this.#db,
      `UPDATE queue_messages SET visible_at = ?
       WHERE queue = ? AND body_id = ? AND visible_at > ? AND receive_count = 0`,
    ).run(now, queue, bodyId, now).changes;
    if (changed === 0) return false;
    for (const listener of this.#listeners) listener(queue, 'expedited');
    return true;
  }

  /**
   * Makes every delayed message of `queues` that was never received receivable now; how many.
   * A runtime that starts without the watches its predecessor held wakes its waits this way.
   */
  expediteDelayed(queues: readonly string[]): number {
    const now = this.#now();
    const changed = statement(
      this.#db,
      `UPDATE queue_messages SET visible_at = ?
       WHERE queue IN (SELECT value FROM json_each(?)) AND visible_at > ? AND receive_count = 0`,
    ).run(now, JSON.stringify(queues), now).changes;
    return Number(changed);
  }

  /**
   * Receives up to `maxMessages` visible messages, hiding each for the visibility timeout under a
   * fresh receipt handle. A message already received `maxReceiveCount` times moves to the
   * dead-letter table instead of being delivered.
   */
  receive(queue: string, options: ReceiveOptions): ReceivedMessage[] {
    const now = this.#now();
    const hiddenUntil = now + Math.round(options.visibilityTimeoutSeconds * 1000);
    return inTransaction(this.#db, () => {
      const received: ReceivedMessage[] = [];
      const taken: number[] = [];
      // Seqs already taken are excluded so a zero visibility timeout cannot hand one out twice.
      const select = statement(
        this.#db,
        `SELECT seq, id, body, sent_at, receive_count, first_received_at FROM queue_messages
         WHERE queue = ? AND visible_at <= ? AND seq NOT IN (SELECT value FROM json_each(?))
         ORDER BY visible_at, seq LIMIT ?`,
      );
      let deadLettered = true;
      // Dead-lettering frees places in the batch, so look again until the batch is full or nothing moved.
      while (received.length < options.maxMessages && deadLettered) {
        deadLettered = false;
        const wanted = options.maxMessages - received.length;
        const rows = select.all(queue, now, JSON.stringify(taken), wanted) as unknown as MessageRow[];
        for (const row of rows) {
          if (row.receive_count >= this.#maxReceiveCount) {
            this.#moveToDeadLetters(queue, row, now);
            deadLettered = true;
          } else {
            received.push(this.#hide(row, now, hiddenUntil));
            taken.push(row.seq);
          }
        }
      }
      return received;
    });
  }

  /** Deletes a received message. A stale receipt handle (the message was received again) deletes nothing. */
  delete(queue: string, receiptHandle: string): boolean {
    const { changes } = statement(
      this.#db,
      'DELETE FROM queue_messages WHERE queue = ? AND receipt_handle = ?',
    ).run(queue, receiptHandle);
    return Number(changes) > 0;
  }

  /** Epoch ms when the next message of `queue` becomes visible, if any message is waiting. */
  nextVisibleAt(queue: string): number | undefined {
    const row = statement(this.#db, 'SELECT MIN(visible_at) AS next FROM queue_messages WHERE queue = ?').get(
      queue,
    ) as {
      next: number | null;
    };
    return row.next ?? undefined;
  }

  depth(queue: string): QueueDepth {
    const now = this.#now();
    const counts = statement(
      this.#db,
      `SELECT COALESCE(SUM(visible_at <= ?), 0) AS visible, COALESCE(SUM(visible_at > ?), 0) AS invisible
         FROM queue_messages WHERE queue = ?`,
    ).get(now, now, queue) as { visible: number; invisible: number };
    const dead = statement(this.#db, 'SELECT COUNT(*) AS n FROM queue_dead_letters WHERE queue = ?').get(
      queue,
    ) as {
      n: number;
    };
    return { visible: counts.visible, invisible: counts.invisible, deadLetters: dead.n };
  }

  deadLetters(queue: string): DeadLetter[] {
    const rows = statement(
      this.#db,
      'SELECT id, body, sent_at, receive_count, dead_at FROM queue_dead_letters WHERE queue = ? ORDER BY dead_at, id',
    ).all(queue) as unknown as {
      id: string;
      body: string;
      sent_at: number;
      receive_count: number;
      dead_at: number;
    }[];
    return rows.map((row) => ({
      messageId: row.id,
      body: row.body,
      sentAt: row.sent_at,
      receiveCount: row.receive_count,
      deadAt: row.dead_at,
    }));
  }

  /** Called after every send on this connection, so idle pollers wake without waiting a full interval. */
  onSend(listener: SendListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #hide(row: MessageRow, now: number, hiddenUntil: number): ReceivedMessage {
    const receiptHandle = randomUUID();
    const firstReceivedAt = row.first_received_at ?? now;
    statement(
      this.#db,
      `UPDATE queue_messages SET visible_at = ?, receive_count = receive_count + 1,
         first_received_at = ?, receipt_handle = ? WHERE seq = ?`,
    ).run(hiddenUntil, firstReceivedAt, receiptHandle, row.seq);
    return {
      messageId: row.id,
      receiptHandle,
      body: row.body,
      sentAt: row.sent_at,
      firstReceivedAt,
      receiveCount: row.receive_count + 1,
    };
  }

  #moveToDeadLetters(queue: string, row: MessageRow, now: number): void {
    statement(
      this.#db,
      'INSERT INTO queue_dead_letters (id, queue, body, sent_at, receive_count, dead_at) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(row.id, queue, row.body, row.sent_at, row.receive_count, now);
    statement(this.#db, 'DELETE FROM queue_messages WHERE seq = ?').run(row.seq);
  }

  #now(): number {
    return this.#clock.now().getTime();
  }
}

/**
 * Databases from before `body_id` get the column; their waiting messages have none, so an early
 * wake misses them and they arrive when due, as any wait that nothing watches.
 */
function addBodyIdColumn(db: DatabaseSync): void {
  inTransaction(db, () => {
    if (!hasColumn(db, 'queue_messages', 'body_id'))
      db.exec('ALTER TABLE queue_messages ADD COLUMN body_id TEXT');
    db.exec(
      'CREATE INDEX IF NOT EXISTS queue_messages_by_body_id ON queue_messages (queue, body_id) WHERE body_id IS NOT NULL',
    );
  });
}
