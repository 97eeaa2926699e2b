-- Failed sign-ins are counted in "LoginThrottle" (per username and client, per username alone:
-- src/auth/sign-in-throttle.ts), which slows guessing without locking the real user out; these two
-- columns were never read or counted, so a reader could take them for a lock that does not exist.
ALTER TABLE "Staff" DROP COLUMN "failedLogins",
DROP COLUMN "lockedUntil";
