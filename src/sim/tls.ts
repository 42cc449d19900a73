/** Self-signed serving certificate for loopback, and client certificates it signs, made with the system's openssl. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TlsMaterial {
  cert: string;
  key: string;
}

export function makeSelfSignedCert(host: string): TlsMaterial {
  const dir = mkdtempSync(join(tmpdir(), 'sim-tls-'));
  try {
    const san = /^[0-9.]+$/.test(host) ? `IP:${host},DNS:localhost` : `DNS:${host},IP:127.0.0.1`;
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '30',
      '-subj', '/CN=spark-k8s-simulator', '-addext', `subjectAltName=${san}`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,digitalSignature,keyCertSign',
      // clientAuth too: as the CA of the client certificates below, its purposes bound theirs.
      '-addext', 'extendedKeyUsage=serverAuth,clientAuth',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: 'pipe', timeout: 20_000 });
    return { cert: readFileSync(join(dir, 'cert.pem'), 'utf8'), key: readFileSync(join(dir, 'key.pem'), 'utf8') };
  } catch (e) {
    throw new Error(`could not create a self-signed certificate with openssl: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A client certificate for `user`, signed by `ca` (the simulator's serving certificate, which is
 * its own CA), so clients can authenticate the way kubeconfigs with client-certificate-data do.
 */
export function makeClientCert(ca: TlsMaterial, user: string): TlsMaterial {
  const dir = mkdtempSync(join(tmpdir(), 'sim-tls-'));
  try {
    const p = (f: string) => join(dir, f);
    writeFileSync(p('ca.pem'), ca.cert);
    writeFileSync(p('ca-key.pem'), ca.key, { mode: 0o600 });
    writeFileSync(p('ext.cnf'), 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n');
    const run = (args: string[]) => execFileSync('openssl', args, { stdio: 'pipe', timeout: 20_000 });
    run(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', `/O=system:masters/CN=${user}`, '-keyout', p('key.pem'), '-out', p('req.pem')]);
    run(['x509', '-req', '-in', p('req.pem'), '-CA', p('ca.pem'), '-CAkey', p('ca-key.pem'), '-CAcreateserial', '-days', '30', '-extfile', p('ext.cnf'), '-out', p('cert.pem')]);
    return { cert: readFileSync(p('cert.pem'), 'utf8'), key: readFileSync(p('key.pem'), 'utf8') };
  } catch (e) {
    throw new Error(`could not create a client certificate with openssl: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
