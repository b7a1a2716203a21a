// zod 4 compiles object parsers with `new Function` unless told not to; the server's CSP
// (script-src 'self', no 'unsafe-eval') forbids that and even zod's probe for it is reported as a
// violation. Import this module before anything parses.
import { z } from 'zod';

z.config({ jitless: true });
