import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TemplateMiner } from '../../src/analysis/log-miner.js';
import { maskedTokens } from '../../src/analysis/log-mask.js';

const FIX = join(import.meta.dirname, '../fixtures/logs');
const lines = (f: string): string[] => readFileSync(join(FIX, f), 'utf8').split('\n').slice(0, -1);

/** Lines whose predicted group equals their true group exactly (the LogHub GA rule). */
function groupingAccuracy(pred: string[], truth: string[]): number {
  const key = (labels: string[], i: number) => labels.map((l, k) => (l === labels[i] ? k : -1)).filter((k) => k >= 0).join(',');
  let ok = 0;
  for (let i = 0; i < truth.length; i++) if (key(pred, i) === key(truth, i)) ok++;
  return ok / truth.length;
}

function mine(msgs: string[], miner = new TemplateMiner()): string[] {
  const got = msgs.map((m) => miner.add(m));
  return got.map((t) => miner.resolve(t.id)!.id);
}

describe('log masking', () => {
  it('masks values by kind and keeps names', () => {
    expect(maskedTokens('Connected to 10.0.0.12:8080 in 35ms')).toEqual(['Connected', 'to', '<*>:<*>', 'in', '<*>']);
    expect(maskedTokens('job 123e4567-e89b-12d3-a456-426614174000 done')).toEqual(['job', '<*>', 'done']);
    expect(maskedTokens('read /var/log/app/x.log ok')).toEqual(['read', '<*>', 'ok']);
    expect(maskedTokens("unknown option 'fast' given")).toEqual(['unknown', 'option', "'<*>'", 'given']);
    // a quoted phrase is tokenised like the rest: its words (GET vs POST) shape the statement
    expect(maskedTokens('1.2.3.4 "GET /v2/servers/detail HTTP/1.1" status: 200')).toEqual(['<*>', '"GET', '<*>', 'HTTP/<*>"', 'status:', '<*>']);
    expect(maskedTokens('addr 0x7ffe12ab hash deadbeef12')).toEqual(['addr', '<*>', 'hash', '<*>']);
    expect(maskedTokens('jk2_init() Found child 6725 in slot 10 via ssh2')).toEqual(['jk2_init()', 'Found', 'child', '<*>', 'in', 'slot', '<*>', 'via', 'ssh2']);
    // a list of same-kind values is one value; a bracketed restatement of a quantity is dropped
    expect(maskedTokens('delete blk_1 blk_-2 blk_3')).toEqual(['delete', 'blk_<*>']);
    expect(maskedTokens('sent 1190 bytes (1.16 KB) ok')).toEqual(maskedTokens('sent 12 bytes ok'));
    expect(maskedTokens('uid=0 user=root')).toEqual(['uid=', '<*>', 'user=', 'root']);
  });

  it('treats host names as values but not reverse-DNS code names', () => {
    expect(maskedTokens('resolved db1.prod.example.com')).toEqual(['resolved', '<*>']);
    expect(maskedTokens('open csdnimg.cn:80')).toEqual(['open', '<*>:<*>']);
    expect(maskedTokens('service com.apple.xpc.launchd')).toEqual(['service', 'com.apple.xpc.launchd']);
    expect(maskedTokens('at Engine.cpp:120')).toEqual(['at', 'Engine.cpp:<*>']);
  });
});

describe('TemplateMiner', () => {
  it('recovers the true grouping of a mixed log (fixture with labels)', () => {
    const msgs = lines('mixed-services.txt');
    const truth = lines('mixed-services.truth');
    expect(truth.length).toBe(msgs.length);
    expect(groupingAccuracy(mine(msgs), truth)).toBe(1);
  });

  it('generalises a word position only once it shows the spread of a variable', () => {
    const m = new TemplateMiner();
    const a = m.add('Invalid user alice from 1.2.3.4');
    const b = m.add('Invalid user bob from 1.2.3.5');
    expect(m.resolve(a.id)!.id).not.toBe(m.resolve(b.id)!.id); // two fillers: not yet evidence
    m.add('Invalid user carol from 1.2.3.6');
    expect(m.resolve(a.id)!.id).toBe(m.resolve(b.id)!.id);
    expect(m.resolve(a.id)!.template).toBe('Invalid user <*> from <*>');
  });

  it('generalises two positions that vary together, only with enough fixed context', () => {
    const m = new TemplateMiner();
    const pairs = [['org.a.Foo', 'org.a.FooHandler'], ['org.b.Bar', 'org.b.BarHandler'], ['org.c.Baz', 'org.c.BazHandler']];
    const ids = pairs.map(([x, y]) => m.add(`Registering class ${x} for class ${y}`).id);
    expect(new Set(ids.map((id) => m.resolve(id)!.id)).size).toBe(1);
    expect(m.resolve(ids[0])!.template).toBe('Registering class <*> for class <*>');
    // two words changing in a short message are different statements
    const short = ['illegal instruction', 'privileged instruction.', 'trap operation', 'imprecise exception'].map((w) => m.add(`program interrupt: ${w}`).id);
    expect(new Set(short.map((id) => m.resolve(id)!.id)).size).toBe(4);
  });

  it('keeps statements that differ by a constant word apart', () => {
    const m = new TemplateMiner();
    const ids = new Set<string>();
    for (let i = 0; i < 30; i++) {
      for (const s of ['CONNECTED', 'DISCONNECTED', 'RECONNECTING', 'IDLE']) ids.add(m.add(`state changed to ${s}`).id);
      ids.add(m.add(`Screen turned ${i % 2 ? 'on' : 'off'}`).id);
    }
    const live = new Set([...ids].map((id) => m.resolve(id)!.id));
    expect(live.size).toBe(6);
  });

  it('does not merge unrelated one-word messages around a shared variable', () => {
    const m = new TemplateMiner();
    const t = ['onStandStepChanged 3579', 'theDayChanged 12', 'flushSensor 7', 'onStandStepChanged 3580'].map((s) => m.add(s).id);
    expect(new Set(t.map((id) => m.resolve(id)!.id)).size).toBe(3);
  });

  it('does not confuse names that differ only in a digit (skeleton cache)', () => {
    const m = new TemplateMiner();
    const a = m.add('port 22 proto ssh1 open');
    const b = m.add('port 23 proto ssh2 open');
    const c = m.add('port 99 proto ssh1 open');
    expect(a.id).not.toBe(b.id);
    expect(c.id).toBe(a.id);
    expect(b.template).toBe('port <*> proto ssh2 open');
    expect(m.templates().reduce((n, t) => n + t.count, 0)).toBe(3);
  });

  it('reuses a known shape for lines whose names keep digits (jk2_init, ssh2) without mixing names', () => {
    const m = new TemplateMiner();
    const a = m.add('jk2_init() Found child 6725 in scoreboard slot 10');
    const b = m.add('jk2_init() Found child 6726 in scoreboard slot 8');
    const c = m.add('jk3_init() Found child 6727 in scoreboard slot 9');
    expect(b.id).toBe(a.id);
    expect(c.id).not.toBe(a.id);
    expect(m.resolve(a.id)!.count).toBe(2);
    expect(m.resolve(c.id)!.template).toBe('jk3_init() Found child <*> in scoreboard slot <*>');
  });

  it('lines that differ only in UUIDs or quoted values share a template; the quote kind still counts', () => {
    const m = new TemplateMiner();
    const a = m.add('[req-9f1c2d3e-aaaa-4bbb-8ccc-0123456789ab] user \'bob\' logged in');
    const b = m.add('[req-ffffffff-1234-4cde-9abc-fedcba987654] user \'alice\' logged in');
    const c = m.add('[req-9f1c2d3e-aaaa-4bbb-8ccc-0123456789ab] user "bob" logged in');
    expect(b.id).toBe(a.id);
    expect(c.id).not.toBe(a.id);
    expect(m.resolve(a.id)!.template).toBe("[req-<*>] user '<*>' logged in");
    expect(m.resolve(a.id)!.count).toBe(2);
  });

  it('lines that differ only in hexadecimal ids share a template and are all counted', () => {
    const m = new TemplateMiner();
    const ids = ['9e3779b1c4d2a0f1', 'ab12ff00e9d3c4b5', '0123456789abcdef', 'ffffffff00000001'].map((h) => m.add(`span ${h} finished for tenant acme in 12ms`).id);
    expect(new Set(ids).size).toBe(1);
    expect(m.resolve(ids[0])!.template).toBe('span <*> finished for tenant acme in <*>');
    expect(m.resolve(ids[0])!.count).toBe(4);
  });

  it('gives the same ids and templates on every run', () => {
    const msgs = lines('mixed-services.txt');
    const run = () => {
      const m = new TemplateMiner();
      const ids = mine(msgs, m);
      return { ids, templates: m.templates().map((t) => `${t.id} ${t.count} ${t.template}`) };
    };
    expect(run()).toEqual(run());
  });

  it('counts every message exactly once', () => {
    const msgs = lines('mixed-services.txt');
    const m = new TemplateMiner();
    for (const s of msgs) m.add(s);
    expect(m.templates().reduce((a, t) => a + t.count, 0)).toBe(msgs.length);
  });

  it('keeps memory bounded when every message has a new shape', () => {
    const m = new TemplateMiner({ maxTemplates: 50 });
    const words = ['alpha', 'beta', 'gamma', 'delta', 'eps', 'zeta', 'eta', 'theta'];
    for (let i = 0; i < 5000; i++) {
      const len = 1 + (i % 7);
      const msg = Array.from({ length: len }, (_, k) => words[(i * 7 + k * 3 + Math.floor(i / 13)) % 8] + String.fromCharCode(97 + ((i >> k) % 26))).join(' ');
      m.add(msg);
    }
    const ts = m.templates();
    expect(ts.length).toBeLessThanOrEqual(50 + 8); // cap + one overflow group per token count
    expect(ts.reduce((a, t) => a + t.count, 0)).toBe(5000);
  });

  it('handles empty and whitespace-only lines', () => {
    const m = new TemplateMiner();
    const a = m.add('');
    const b = m.add('   ');
    expect(a.id).toBe(b.id);
    expect(a.template).toBe('');
  });
});

describe('TemplateMiner on styles unlike its development logs', () => {
  const ga = (file: string): number => {
    const msgs = lines(`${file}.txt`);
    const truth = lines(`${file}.truth`);
    expect(truth.length).toBe(msgs.length);
    return groupingAccuracy(mine(msgs), truth);
  };

  it('syslog daemons and the kernel: lines differing in PID, host, path, device or address share a template', () => {
    expect(ga('syslog')).toBe(1);
    const m = new TemplateMiner();
    const a = m.add('postfix/smtpd[12124]: connect from ns1.dns.example.net[150.191.55.100]');
    const b = m.add('postfix/smtpd[9]: connect from ip-10-157-200-148.ec2.internal[15.3.78.75]');
    expect(b.id).toBe(a.id);
    expect(a.template).toBe('postfix/smtpd[<*>]: connect from <*>[<*>]');
    // dmesg pads its time stamp: the padding does not change the token count
    const k1 = m.add('kernel: [   18.926341] EXT4-fs (sda1): mounted filesystem with ordered data mode.');
    const k2 = m.add('kernel: [524869.814759] EXT4-fs (sda1): mounted filesystem with ordered data mode.');
    expect(k2.id).toBe(k1.id);
    const p1 = m.add('logrotate: error: skipping "/var/log/syslog" because parent directory has insecure permissions');
    const p2 = m.add('logrotate: error: skipping "/srv/data/export.csv" because parent directory has insecure permissions');
    expect(p2.id).toBe(p1.id);
  });

  it('cloud/API requests: one template per verb and statement; routes, ids, statuses and timings are values', () => {
    expect(ga('cloud-requests')).toBe(1);
    const m = new TemplateMiner();
    const get = [
      '10.0.0.1 "GET /v2/54fadb412c4e40cdbaed9335e4c35a9e/servers/detail HTTP/1.1" status: 200 len: 1893 time: 0.2477829',
      '10.0.0.2 "GET /healthz HTTP/1.1" status: 503 len: 12 time: 0.0012',
      '10.0.0.3 "GET /api/v2/search?q=red+dress&page=6 HTTP/1.1" status: 404 len: 90 time: 1.5',
    ].map((l) => m.add(l).id);
    const post = m.add('10.0.0.1 "POST /v2/54fadb412c4e40cdbaed9335e4c35a9e/servers HTTP/1.1" status: 202 len: 733 time: 0.41').id;
    expect(new Set(get).size).toBe(1);
    expect(post).not.toBe(get[0]);
    const d = ['duration=0.231s', 'duration=12ms', 'duration=38.6µs'].map((x) => m.add(`request_id=123e4567-e89b-12d3-a456-426614174000 method=GET path=/x/y status=200 ${x} remote=10.1.2.3:5555`).id);
    expect(new Set(d).size).toBe(1);
  });

  it('does not let a constant word ride along with a variable beside it (Accepted / Failed)', () => {
    const m = new TemplateMiner();
    const users = ['root', 'admin', 'alice', 'bob', 'carol', 'dave'];
    const acc = users.map((u) => m.add(`Accepted password for ${u} from 10.0.0.1 port 22 ssh2`).id);
    const fail = users.map((u) => m.add(`Failed password for ${u} from 10.0.0.2 port 22 ssh2`).id);
    const live = (ids: string[]) => new Set(ids.map((id) => m.resolve(id)!.id));
    expect(live(acc).size).toBe(1);
    expect(live(fail).size).toBe(1);
    expect([...live(acc)][0]).not.toBe([...live(fail)][0]);
  });

  it('merges statements that differ only in tokens holding values, however many vary at once', () => {
    const m = new TemplateMiner();
    // numbered instances (CPU25) and ids of two shapes (Package_for_KB.., Package_12_for_KB..) in a long line
    const ids = [1, 2, 3, 4, 5].map((i) =>
      m.add(`Appl: detect Parent, Package: Package_${i % 2 ? '' : i + '_'}for_KB${4000000 + i * 7}~31bf3856ad364e35~amd64~~6.1.${i}.0, Parent: Package_for_KB${3000000 + i * 13}~31bf3856ad364e35~amd64~~6.1.1.${i}, Disposition = Detect, VersionComp: EQ, ServiceComp: GE, BuildComp: GE`).id,
    );
    expect(new Set(ids.map((id) => m.resolve(id)!.id)).size).toBe(1);
    const mce = [3, 17, 25, 40].map((c) => m.add(`MCE: CPU${c} Machine Check Exception: 4 Bank 1: 0x${(c * 7919).toString(16)}`).id);
    expect(new Set(mce.map((id) => m.resolve(id)!.id)).size).toBe(1);
    // upper-case state names stay constants
    const st = ['NEW to INITED', 'INITED to SETUP', 'SETUP to RUNNING'].map((x) => m.add(`job_17 Job Transitioned from ${x}`).id);
    expect(new Set(st.map((id) => m.resolve(id)!.id)).size).toBe(3);
  });

  it('a line seen before its positions were known to vary joins the template once they are', () => {
    const m = new TemplateMiner();
    // long enough that no pair of positions is tried together: x and y generalise one at a time
    const line = (x: string, y: string): string => `worker ${x} could not reach ${y} while the scheduler was draining the queue of pending jobs for the nightly batch run`;
    const early = m.add(line('zeta', 'omega')).id; // shares no one-position hole with what follows
    for (const y of ['pgsql', 'redis', 'kafka']) for (const x of ['alpha', 'beta', 'gamma']) m.add(line(x, y));
    const t = m.add(line('delta', 'mysql'));
    expect(t.template).toBe(line('<*>', '<*>'));
    expect(m.resolve(early)!.id).toBe(t.id);
  });

  it('with one constant word, a position needs much more evidence before it becomes a variable', () => {
    const m = new TemplateMiner();
    const verbs = ['Creating', 'Deleting', 'Removing'].map((v) => m.add(`${v} directory /tmp/x${v.length}/y`).id);
    expect(new Set(verbs.map((id) => m.resolve(id)!.id)).size).toBe(3);
    const pkgs = ['com.a.chrome', 'com.b.maps', 'com.c.mail', 'org.d.fox', 'com.e.music', 'com.f.notes', 'com.g.clock', 'com.h.files', 'com.i.camera', 'com.j.phone'];
    const shown = pkgs.map((p, i) => m.add(`Displayed ${p}/.MainActivity: +${100 + i}ms`).id);
    expect(new Set(shown.map((id) => m.resolve(id)!.id)).size).toBe(1);
  });

  it('mines lines given as bytes exactly as lines given as strings', () => {
    const uuids = [
      'job 123e4567-e89b-12d3-a456-426614174000 done',
      'job 9f1c2d3e-aaaa-4bbb-8ccc-0123456789ab123e4567-e89b-12d3-a456-426614174000 done', // two, back to back
      'é ü 123e4567-e89b-12d3-a456-426614174000 ✓', // after multi-byte characters
      'job 123e4567-e89b-12d3-a456-42661417400 done', // one digit short: not a UUID
      'req-ab-cdef-ghij-klmn-opqr dashes laid out like one',
    ];
    for (const file of ['syslog', 'cloud-requests', 'mixed-services', '']) {
      const msgs = file ? lines(`${file}.txt`) : uuids;
      const bytes = Buffer.from(msgs.join('\n') + '\n', 'utf8');
      const a = new TemplateMiner();
      const b = new TemplateMiner();
      const byString = msgs.map((x) => a.addIndex(x));
      const byBytes: number[] = [];
      for (let s = 0; s < bytes.length; ) {
        const nl = bytes.indexOf(10, s);
        byBytes.push(b.addBytes(bytes, s, nl));
        s = nl + 1;
      }
      expect(byBytes.map((g) => b.templateAt(g).id)).toEqual(byString.map((g) => a.templateAt(g).id));
      expect(b.templates().map((t) => [t.id, t.template, t.count])).toEqual(a.templates().map((t) => [t.id, t.template, t.count]));
    }
  });
});

describe('TemplateMiner limits', () => {
  it('handles very long lines quickly, cutting them to a bounded number of tokens', () => {
    const m = new TemplateMiner();
    const long = (k: number) => 'dump ' + Array.from({ length: 20_000 }, (_, i) => `w${(i * k) % 97}x`).join(' ');
    const t0 = performance.now();
    const a = m.add(long(1));
    m.add(long(3));
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(a.template.split(' ').length).toBeLessThanOrEqual(128);
  });
});
