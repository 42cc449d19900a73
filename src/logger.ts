/** pino JSON logs, pretty in a terminal (or when asked). */
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

export function makeLogger(level: string, format: 'auto' | 'json' | 'pretty', stream: NodeJS.WritableStream = process.stderr): Logger {
  const usePretty = format === 'pretty' || (format === 'auto' && (stream as { isTTY?: boolean }).isTTY === true);
  const opts = { level, base: { name: 'spark-k8s-exporter' } };
  return usePretty ? pino(opts, pretty({ destination: stream, colorize: true, sync: true })) : pino(opts, pino.destination({ dest: 2, sync: false }));
}
