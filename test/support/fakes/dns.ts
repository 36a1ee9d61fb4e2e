import { createRequire } from 'node:module';

// dns2 ships no type declarations; describe just the parts the tests use.
interface Dns2Packet { header: { rcode: number }; questions: Array<{ name: string; type: number }>; answers: object[] }
interface Dns2 {
  Packet: { TYPE: Record<'A' | 'AAAA' | 'MX' | 'TXT' | 'CNAME', number>; createResponseFromRequest(req: Dns2Packet): Dns2Packet };
  createServer(o: { udp: true; handle: (req: Dns2Packet, send: (res: Dns2Packet) => void) => void }): {
    listen(o: { udp: { port: number; address: string } }): Promise<{ udp: { port: number } }>;
    close(): Promise<void>;
  };
}
const dns2 = createRequire(import.meta.url)('dns2') as Dns2;
const { TYPE } = dns2.Packet;

/** A name's records. `{}` answers NOERROR with nothing (ENODATA); names absent from the zone are NXDOMAIN. */
export type DnsRecords = { a?: string[]; aaaa?: string[]; mx?: string[]; txt?: string[][]; cname?: string; rcode?: number; drop?: boolean };

/**
 * A real DNS server (dns2, UDP) on 127.0.0.1 serving `zone`; `drop` never answers (a timeout),
 * `rcode` answers that error (2 SERVFAIL). Answers the `host:port` and every query seen.
 */
export async function startDnsServer(zone: Record<string, DnsRecords>) {
  const queries: string[] = [];
  const server = dns2.createServer({
    udp: true,
    handle(req, send) {
      // dns2 builds the response by mutating the request packet in place.
      const res = dns2.Packet.createResponseFromRequest(req);
      const q = req.questions[0];
      queries.push(`${q.name}/${q.type}`);
      const rec = zone[q.name.toLowerCase()];
      if (rec?.drop) return;
      if (!rec) res.header.rcode = 3;
      else if (rec.rcode) res.header.rcode = rec.rcode;
      else {
        const base = { name: q.name, type: q.type, class: 1, ttl: 60 };
        if (q.type === TYPE.A) for (const address of rec.a ?? []) res.answers.push({ ...base, address });
        if (q.type === TYPE.AAAA) for (const address of rec.aaaa ?? []) res.answers.push({ ...base, address });
        if (q.type === TYPE.MX) for (const exchange of rec.mx ?? []) res.answers.push({ ...base, exchange, priority: 10 });
        if (q.type === TYPE.TXT) for (const data of rec.txt ?? []) res.answers.push({ ...base, data });
        if (q.type === TYPE.CNAME && rec.cname) res.answers.push({ ...base, domain: rec.cname });
      }
      send(res);
    },
  });
  const addr = await server.listen({ udp: { port: 0, address: '127.0.0.1' } });
  return { address: `127.0.0.1:${addr.udp.port}`, queries, close: () => server.close() };
}
