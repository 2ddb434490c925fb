// This phone's IndexedDB: API answers cached for offline screens (each tagged with the user it
// belongs to) and the outbox of writes waiting to be sent. One small module, no library.

const DB_NAME = "linli";
const DB_VERSION = 1;
const CACHE = "cache";
const OUTBOX = "outbox";

let opening = null;

function open() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      let request;
      try {
        request = indexedDB.open(DB_NAME, DB_VERSION);
      } catch (error) {
        reject(error);
        return;
      }
      request.onupgradeneeded = () => {
        const db = request.result;
        if (!db.objectStoreNames.contains(CACHE)) {
          db.createObjectStore(CACHE, { keyPath: ["user_id", "path"] }).createIndex("user_id", "user_id");
        }
        if (!db.objectStoreNames.contains(OUTBOX)) {
          db.createObjectStore(OUTBOX, { keyPath: "key" }).createIndex("user_id", "user_id");
        }
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    // Storage can be switched off (private mode, some in-app browsers): try again next time.
    opening.catch(() => { opening = null; });
  }
  return opening;
}

function done(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function run(storeName, mode, work) {
  const db = await open();
  const transaction = db.transaction(storeName, mode);
  const finished = new Promise((resolve, reject) => {
    transaction.oncomplete = resolve;
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error);
  });
  const result = await work(transaction.objectStore(storeName));
  await finished;
  return result;
}

/** Keep `body`, the answer to GET `path`, for user `userId`, stamped with when it was fetched. */
export function cachePut(userId, path, body) {
  const entry = { user_id: userId, path, body, fetched_at: new Date().toISOString() };
  return run(CACHE, "readwrite", (store) => { store.put(entry); });
}

/** The cached answer {body, fetched_at} to GET `path` for `userId`, or null. */
export async function cacheGet(userId, path) {
  const entry = await run(CACHE, "readonly", (store) => done(store.get([userId, path])));
  return entry || null;
}

/** Forget everything cached for `userId` (they signed out on this phone). */
export function cacheClear(userId) {
  return run(CACHE, "readwrite", async (store) => {
    const keys = await done(store.index("user_id").getAllKeys(userId));
    for (const key of keys) {
      store.delete(key);
    }
  });
}

/** Store (or replace) an outbox item, keyed by its Idempotency-Key. */
export function outboxPut(item) {
  return run(OUTBOX, "readwrite", (store) => { store.put(item); });
}

/** Every outbox item, oldest first (the order the person tapped). */
export async function outboxAll() {
  const items = await run(OUTBOX, "readonly", (store) => done(store.getAll()));
  return items.sort((a, b) => a.seq - b.seq);
}

/** Remove the outbox item with Idempotency-Key `key`. */
export function outboxDelete(key) {
  return run(OUTBOX, "readwrite", (store) => { store.delete(key); });
}
