import { describe, expect, it } from 'vitest';
import { maskedTokens, maskToken } from '../../src/analysis/log-mask.js';

const masked = (s: string): string => maskedTokens(s).join(' ');

describe('maskedTokens: each kind of value', () => {
  it('numbers: integers, signed, decimals, with a unit, after a sign in an id', () => {
    expect(masked('took 12 retries')).toBe('took <*> retries');
    expect(masked('delta -5 now')).toBe('delta <*> now');
    expect(masked('ratio 0.75 ok')).toBe('ratio <*> ok');
    expect(masked('load 3.5GB done')).toBe('load <*> done');
    expect(masked('got blk_-1608999687919862906 ok')).toBe('got blk_<*> ok');
    // a number after "_" makes the rest of the identifier an id
    expect(masked('run task_1445_0020_m_000000 now')).toBe('run task_<*> now');
  });

  it('hexadecimal: 0x-prefixed, long hex runs with a digit; hex-looking words stay', () => {
    expect(masked('at 0x7ffe12ab')).toBe('at <*>');
    expect(masked('hash deadbeef12 ok')).toBe('hash <*> ok');
    expect(masked('state cafe added')).toBe('state cafe added');
  });

  it('IP addresses, with and without a port, and endpoints by host name', () => {
    expect(masked('from 10.251.31.5 port')).toBe('from <*> port');
    expect(masked('to 10.251.31.5:50010 dest')).toBe('to <*>:<*> dest');
    expect(masked('open csdnimg.cn:80')).toBe('open <*>:<*>');
    expect(masked('at Engine.cpp:120')).toBe('at Engine.cpp:<*>');
  });

  it('MAC addresses and dotted names with numeric labels are addresses', () => {
    expect(masked('link 00:1a:2b:3c:4d:5e up')).toBe('link <*> up');
    expect(masked('peer 5.36.59.76.dsl.example.net gone')).toBe('peer <*> gone');
  });

  it('UUIDs', () => {
    expect(masked('job 123e4567-e89b-12d3-a456-426614174000 done')).toBe('job <*> done');
    expect(masked('job ABCDEF01-E89B-12D3-A456-426614174000 done')).toBe('job <*> done');
  });

  it('paths, routes and URLs, also inside brackets and quotes; a lone / stays a word', () => {
    expect(masked('read /var/log/app.log')).toBe('read <*>');
    expect(masked('read ~/cfg/x')).toBe('read <*>');
    expect(masked('read C:\\Users\\x')).toBe('read <*>');
    expect(masked('read \\\\fileserver\\share now')).toBe('read <*> now');
    expect(masked('GET https://api.example.com/v1/items?id=3')).toBe('GET <*>');
    expect(masked('GET /healthz now')).toBe('GET <*> now');
    expect(masked('image at (/var/lib/nova/_base/x): checking')).toBe('image at (<*>): checking');
    expect(masked('Started GET "/users/12" for')).toBe('Started GET "<*>" for');
    // a query string is part of the URL, not key=value pairs
    expect(masked('GET /api/search?q=red+dress&page=6 now')).toBe('GET <*> now');
    expect(masked('a / b and TCP/IP')).toBe('a / b and TCP/IP');
  });

  it('durations and sizes: the unit belongs to the number, a bracketed restatement is dropped', () => {
    expect(masked('done in 35ms')).toBe('done in <*>');
    expect(masked('done in 35 ms')).toBe(masked('done in 1.5 sec'));
    expect(masked('sent 1190 bytes (1.16 KB) ok')).toBe('sent <*> ok');
    expect(masked('disk 93% full')).toBe('disk <*>% full');
  });

  it('quoted single tokens are values; quoted phrases are tokenised; apostrophes in words are kept', () => {
    expect(masked("unknown option 'fast' given")).toBe("unknown option '<*>' given");
    expect(masked('key="abc" set')).toBe('key= "<*>" set');
    expect(masked('req "GET /v2/items HTTP/1.1" ok')).toBe('req "GET <*> HTTP/<*>" ok');
    expect(masked("can't open")).toBe("can't open");
  });

  it('key=value: the value is its own position', () => {
    expect(maskedTokens('uid=0 euid=0 user=root')).toEqual(['uid=', '<*>', 'euid=', '<*>', 'user=', 'root']);
    expect(maskedTokens('x= =y')).toEqual(['x=', '=y']);
  });

  it('month and weekday names next to numbers belong to the date', () => {
    expect(masked('on Jul 01 08:16:53 2005 boot')).toBe('on <*> boot');
    expect(masked('at 08:16:53 Fri boot')).toBe('at <*> boot');
    expect(masked('may the force')).toBe('may the force');
  });

  it('host names are values, reverse-DNS code names are not', () => {
    expect(masked('resolved db1.prod.example.com')).toBe('resolved <*>');
    expect(masked('service com.apple.xpc.launchd')).toBe('service com.apple.xpc.launchd');
  });

  it('a list of same-kind values is one value', () => {
    expect(masked('delete blk_1 blk_-2 blk_3 now')).toBe('delete blk_<*> now');
    expect(masked('ids 7 8 9 open')).toBe('ids <*> open');
  });
});

describe('maskedTokens: splitting', () => {
  it('splits on spaces only, unless the line has a tab or line break', () => {
    expect(maskedTokens('a\u00a0b c')).toEqual(['a\u00a0b', 'c']);
    expect(maskedTokens('a\tb\u00a0c  d')).toEqual(['a', 'b', 'c', 'd']);
    expect(maskedTokens('  lead and trail  ')).toEqual(['lead', 'and', 'trail']);
  });

  it('looks at the token right after the separator for a date (two spaces: none)', () => {
    expect(masked('on Jul 1 boot')).toBe('on <*> boot');
    expect(masked('on Jul  x')).toBe('on Jul x');
    expect(masked('on Jul\t\t1 boot')).toBe('on <*> boot');
  });
});

describe('masking caches never change a result', () => {
  it('values of one shape mask alike, whatever their digits (token shape cache)', () => {
    const shapes = ['10.0.0.1:80', 'blk_-123', '2005-06-03-15.42.50.363779', '0x1f2e', 'a1b2c3d4'];
    for (const s of shapes) {
      const first = maskToken(s);
      const other = s.replace(/[0-9]/g, (d) => String((Number(d) + 3) % 10));
      expect(maskedTokens(`v ${other} w`)).toEqual(maskedTokens(`v ${s} w`));
      expect(maskedTokens(`v ${s} w`)).toContain(first);
    }
  });

  it('key=value halves are cached apart from whole tokens', () => {
    expect(maskedTokens('k=12 path=/a/b')).toEqual(['k=', '<*>', 'path=', '<*>']);
    expect(maskedTokens('k=99 path=/c/d')).toEqual(['k=', '<*>', 'path=', '<*>']);
    // a second '=' belongs to the value; a name's digit in a value is kept
    expect(maskedTokens('a=b=c1')).toEqual(['a=', 'b=c1']);
    expect(maskedTokens('a=b=c2')).toEqual(['a=', 'b=c2']);
    expect(maskedTokens('v=ssh2 w=ssh3')).toEqual(['v=', 'ssh2', 'w=', 'ssh3']);
    // no split when '=' starts or ends the token
    expect(maskedTokens('=5 x=')).toEqual(['=<*>', 'x=']);
    expect(maskedTokens('id=ab12cd34ef-7 done')).toEqual(['id=', '<*>-<*>', 'done']);
    expect(maskedTokens('id=ff00aa11bb-9 done')).toEqual(['id=', '<*>-<*>', 'done']);
  });

  it('a name whose digits are kept is not shared between its digit variants', () => {
    expect(masked('via ssh2 ok')).toBe('via ssh2 ok');
    expect(masked('via ssh3 ok')).toBe('via ssh3 ok');
    expect(masked('dev wl0 up')).toBe('dev wl0 up');
    expect(masked('dev wl1 up')).toBe('dev wl1 up');
  });

  it('gives the same tokens for a line seen before and after many other lines', () => {
    const line = 'Accepted password for root from 10.1.2.3 port 5022 ssh2';
    const before = maskedTokens(line);
    for (let i = 0; i < 70_000; i++) maskedTokens(`w${i % 97} x${i} 10.0.${i % 255}.1`); // past every cache bound
    expect(maskedTokens(line)).toEqual(before);
  });
});
