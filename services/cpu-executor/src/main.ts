// cpu-executor: the executor library with the cpu pool profile (see libs/executor/src/service.ts for settings).
import { runExecutorService } from '@switchyard/executor';

await runExecutorService('cpu');
