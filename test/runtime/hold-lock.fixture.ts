// Holds the data-folder lock until killed (used by data-dir-lock.test.ts).
import { lockDataDir } from '../../src/runtime/data-dir-lock.ts';

await lockDataDir(process.argv[2]!);
process.stdout.write('locked\n');
setInterval(() => undefined, 1 << 30);
