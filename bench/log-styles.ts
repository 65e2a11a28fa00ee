// A second, differently generated set for the log template miner: log styles unlike the eight
// LogHub development systems, written from general knowledge of common formats (syslog daemons and
// the kernel, cloud/API request logs, Java and Android component logs, Windows servicing lines,
// ZooKeeper-style sessions, HPC schedulers and nodes, Kubernetes/Go structured lines), each line
// with its ground-truth template. Nothing here is taken from the held-out LogHub systems.
//
// Ground-truth convention (LogHub's): one template per print statement. Whatever the statement
// fills in (numbers, ids, hosts, users, paths, durations, names of units, methods, packages,
// multi-word descriptions) is <*>; words of the statement itself are constants, including words
// that pick one of several statements (GET vs POST lines, opened vs closed). Upper-case state and
// error names (RUNNING, E_FAIL) are constants even where one statement prints several of them, as
// LogHub's annotators wrote them (in the dev Hadoop truth "Transitioned from NEW to INITED" and
// "from INITED to SETUP" are two templates): a {=A|B} choice in a template below makes one truth
// template per alternative. Template frequencies follow a Zipf law over a seeded shuffle, so
// which statement is common does not depend on the order written here; values are skewed the way
// real ones are (most sudo lines are root's, a few hosts do most of the work), so some variables
// show only one or two distinct values in a sample, as in real logs.
import { seededRandom } from '../src/core/random.js';

type Rand = () => number;
type Gen = (r: Rand) => string;

const pick =
  <T>(xs: readonly T[]) =>
  (r: Rand): T =>
    xs[Math.floor(r() * xs.length)];
/** the first value most of the time (p), otherwise any of the others */
const skewed =
  (xs: readonly string[], p = 0.6): Gen =>
  (r) =>
    r() < p ? xs[0] : xs[1 + Math.floor(r() * (xs.length - 1))];
const int = (a: number, b: number): Gen => (r) => String(a + Math.floor(r() * (b - a + 1)));
const hex = (n: number): Gen => (r) => {
  let s = '';
  for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(r() * 16)];
  return s;
};
const alnum = (n: number, chars = 'abcdefghijklmnopqrstuvwxyz0123456789'): Gen => (r) => {
  let s = '';
  for (let i = 0; i < n; i++) s += chars[Math.floor(r() * chars.length)];
  return s;
};
const fixed = (x: number, digits: number): string => x.toFixed(digits);
const uuid: Gen = (r) => `${hex(8)(r)}-${hex(4)(r)}-4${hex(3)(r)}-${pick(['8', '9', 'a', 'b'])(r)}${hex(3)(r)}-${hex(12)(r)}`;
const ip: Gen = (r) => pick([`10.${int(0, 255)(r)}.${int(0, 255)(r)}.${int(1, 254)(r)}`, `192.168.${int(0, 9)(r)}.${int(1, 254)(r)}`, `${int(11, 223)(r)}.${int(0, 255)(r)}.${int(0, 255)(r)}.${int(1, 254)(r)}`, `172.${int(16, 31)(r)}.${int(0, 255)(r)}.${int(1, 254)(r)}`])(r);
const port: Gen = (r) => (r() < 0.3 ? pick(['22', '80', '443', '8080', '5432', '6379', '2181', '9092'])(r) : int(1024, 65535)(r));
const pid: Gen = (r) => int(2, 65000)(r);
const hostName: Gen = (r) =>
  pick<Gen>([
    (q) => `${pick(['web', 'db', 'api', 'cache', 'mail', 'ns', 'worker', 'proxy'])(q)}${int(1, 40)(q)}.${pick(['prod', 'stage', 'eu-west', 'dc1'])(q)}.${pick(['example.com', 'corp.internal', 'acme.net', 'example.org'])(q)}`,
    (q) => `ip-${int(10, 172)(q)}-${int(0, 255)(q)}-${int(0, 255)(q)}-${int(1, 254)(q)}.ec2.internal`,
    (q) => `host-${int(1, 254)(q)}-${int(0, 255)(q)}.${pick(['dynamic.isp.net', 'cable.example.de', 'dsl.telco.fr'])(q)}`,
    (q) => `mail-${pick(['ed1', 'wr1', 'pf1', 'qt1'])(q)}-f${int(10, 199)(q)}.google.com`,
    (q) => pick(['smtp.fastmail.com', 'mx.mailhost.org', 'relay.example.net', 'backup.lan.example.com', 'gw.office.acme.io'])(q),
  ])(r)(r);
const shortHost: Gen = (r) =>
  pick<Gen>([
    (q) => `${pick(['web', 'db', 'app', 'kafka', 'node', 'compute'])(q)}-${int(1, 30)(q)}`,
    (q) => `${pick(['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel'])(q)}`,
    (q) => `${pick(['srv', 'dn', 'cn', 'gpu'])(q)}${int(1, 400)(q)}`,
  ])(r)(r);
const user = skewed(['root', 'admin', 'ubuntu', 'deploy', 'jenkins', 'postgres', 'git', 'backup', 'nagios', 'alice', 'bob', 'oracle', 'test', 'www-data'], 0.55);
const path: Gen = (r) =>
  pick<Gen>([
    (q) => `/var/log/${pick(['syslog', 'auth.log', 'nginx/access.log', 'apt/history.log', 'kern.log'])(q)}`,
    (q) => `/home/${user(q)}/${pick(['.ssh/authorized_keys', 'projects/app/config.yml', '.bashrc', 'data/export-' + int(1, 99)(q) + '.csv'])(q)}`,
    (q) => `/tmp/${pick(['tmp', 'sess_', 'pip-'])(q)}${alnum(8)(q)}`,
    (q) => `/usr/${pick(['bin', 'sbin', 'lib/x86_64-linux-gnu', 'local/bin'])(q)}/${pick(['python3', 'sshd', 'libssl.so.3', 'node', 'rsync'])(q)}`,
    (q) => `/etc/${pick(['nginx/nginx.conf', 'ssh/sshd_config', 'cron.d/backup', 'hosts', 'resolv.conf'])(q)}`,
  ])(r)(r);
const dev: Gen = pick(['sda', 'sda1', 'sdb', 'sdb2', 'nvme0n1', 'nvme0n1p2', 'vda1', 'dm-0', 'md0']);
const iface: Gen = pick(['eth0', 'eth1', 'ens3', 'enp0s31f6', 'wlan0', 'docker0', 'bond0', 'veth3a9c1f2']);
const kts: Gen = (r) => {
  // dmesg pads the seconds to 5 places: "[    3.120004]" vs "[88123.000412]"
  const s = String(Math.floor(r() < 0.2 ? r() * 60 : r() * 900000));
  return `[${s.padStart(5, ' ')}.${String(int(0, 999999)(r)).padStart(6, '0')}]`;
};
const ms: Gen = (r) => String(Math.floor(Math.exp(r() * 7)));
const secs: Gen = (r) => fixed(r() * r() * 12, 3);
const duration: Gen = (r) => pick<Gen>([(q) => `${ms(q)}ms`, (q) => `${secs(q)}s`, (q) => `${fixed(q() * 900, 1)}µs`, (q) => `${int(1, 59)(q)}m${int(0, 59)(q)}.${int(0, 999)(q)}s`])(r)(r);
const bytes: Gen = (r) => String(Math.floor(Math.exp(r() * 14)));
const status = skewed(['200', '201', '204', '301', '302', '400', '401', '403', '404', '409', '429', '500', '502', '503'], 0.7);
const tenant = hex(32);
const route: Gen = (r) =>
  pick<Gen>([
    (q) => `/v2/${tenant(q)}/servers/detail`,
    (q) => `/v2/${tenant(q)}/servers/${uuid(q)}`,
    (q) => `/api/v1/users/${int(1, 99999)(q)}`,
    (q) => `/api/v1/orders/${uuid(q)}/items`,
    () => `/healthz`,
    (q) => `/static/js/app.${hex(8)(q)}.js`,
    (q) => `/api/v2/search?q=${pick(['shoes', 'red+dress', 'laptop', 'tv'])(q)}&page=${int(1, 9)(q)}`,
  ])(r)(r);
const javaClass: Gen = pick(['java.io.IOException', 'java.net.ConnectException', 'java.lang.NullPointerException', 'java.util.concurrent.TimeoutException', 'org.apache.kafka.common.errors.TimeoutException', 'java.lang.IllegalStateException']);
const pkg: Gen = pick(['com.android.chrome', 'com.google.android.gms', 'com.whatsapp', 'com.android.systemui', 'com.spotify.music', 'com.android.settings', 'org.mozilla.firefox']);
const unitDesc: Gen = pick(['Daily apt download activities', 'Cleanup of Temporary Directories', 'Message of the Day', 'Rotate log files', 'Network Manager Script Dispatcher Service', 'Docker Application Container Engine', 'OpenBSD Secure Shell server', 'Snap Daemon']);
const unitName: Gen = pick(['apt-daily.service', 'systemd-tmpfiles-clean.service', 'motd-news.service', 'logrotate.service', 'docker.service', 'ssh.service', 'snapd.service', 'man-db.service', 'fstrim.timer']);
const cronCmd: Gen = pick(['command -v debian-sa1 > /dev/null && debian-sa1 1 1', '   cd / && run-parts --report /etc/cron.hourly', '/usr/local/bin/backup.sh', '[ -x /usr/lib/php/sessionclean ] && if [ ! -d /run/systemd/system ]; then /usr/lib/php/sessionclean; fi', 'test -x /usr/sbin/anacron || ( cd / && run-parts --report /etc/cron.daily )']);
const proc: Gen = pick(['java', 'python3', 'node', 'postgres', 'chrome', 'mysqld', 'php-fpm7.4', 'redis-server']);
const sessionHex: Gen = (r) => `0x${hex(r() < 0.5 ? 15 : 14)(r).replace(/^0+/, '1')}`;
const node: Gen = (r) => pick<Gen>([(q) => `cn${int(1, 1024)(q)}`, (q) => `node-${String(int(1, 256)(q)).padStart(3, '0')}`, (q) => `r${String(int(1, 40)(q)).padStart(2, '0')}n${String(int(1, 32)(q)).padStart(2, '0')}`])(r)(r);
const nodeRange: Gen = (r) => `cn[${int(1, 400)(r)}-${int(401, 900)(r)}${r() < 0.5 ? ',' + int(901, 1000)(r) : ''}]`;
const podName: Gen = (r) => `${pick(['web', 'checkout', 'cart-api', 'payments', 'search-indexer'])(r)}-${alnum(9, 'bcdfghjklmnpqrstvwxz2456789')(r)}-${alnum(5, 'bcdfghjklmnpqrstvwxz2456789')(r)}`;
const ns: Gen = skewed(['default', 'prod', 'kube-system', 'monitoring', 'staging'], 0.5);
const container: Gen = pick(['app', 'nginx', 'istio-proxy', 'worker', 'migrate']);
const image: Gen = (r) => `${pick(['nginx', 'redis', 'registry.example.com/shop/checkout', 'ghcr.io/acme/api'])(r)}:${pick(['1.25', '7.2-alpine', 'v2.14.0', 'sha-' + hex(7)(r), 'latest'])(r)}`;
const grpcMethod: Gen = pick(['GetUser', 'ListOrders', 'CreatePayment', 'Check', 'Watch', 'UpdateCart', 'SearchProducts']);
const kb: Gen = (r) => `${int(1, 900000)(r)}kB`;
const winPkg: Gen = (r) => `Package_${r() < 0.5 ? int(1, 900)(r) + '_' : ''}for_KB${int(2500000, 4600000)(r)}~31bf3856ad364e35~amd64~~6.1.${int(1, 4)(r)}.${int(0, 9)(r)}`;
const winPath: Gen = (r) => `C:\\Windows\\${pick(['winsxs\\amd64_microsoft-windows-servicingstack_31bf3856ad364e35_6.1.7601.' + int(17000, 24000)(r) + '_none_' + hex(16)(r) + '\\cbscore.dll', 'servicing\\Packages\\' + winPkg(r) + '.mum', 'Logs\\CBS\\CbsPersist_' + int(20150000000000, 20169999999999)(r) + '.log', 'System32\\config\\COMPONENTS'])(r)}`;
const dateTime: Gen = (r) => `2024-0${int(1, 9)(r)}-${String(int(1, 28)(r)).padStart(2, '0')} ${String(int(0, 23)(r)).padStart(2, '0')}:${String(int(0, 59)(r)).padStart(2, '0')}:${String(int(0, 59)(r)).padStart(2, '0')}`;

export interface StyleTemplate {
  /** text with {name} where the statement fills in a value */
  text: string;
}

export interface LogStyle {
  name: string;
  vars: Record<string, Gen>;
  templates: string[];
}

const common: Record<string, Gen> = { pid, port, ip, host: hostName, shost: shortHost, user, path, dev, iface, kts, ms, secs, duration, bytes, status, uuid, hex8: hex(8), hex16: hex(16), n: int(0, 99), big: int(1000, 9999999), dt: dateTime };

export const STYLES: LogStyle[] = [
  {
    name: 'syslog',
    vars: { ...common, unit: unitName, desc: unitDesc, cron: cronCmd, proc, kb, xid: (r) => `0x${hex(8)(r)}`, addr: (r) => `${hex(12)(r)}`, fp: (r) => `SHA256:${alnum(43, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/')(r)}` },
    templates: [
      'sshd[{pid}]: Accepted publickey for {user} from {ip} port {port} ssh2: RSA {fp}',
      'sshd[{pid}]: Accepted password for {user} from {ip} port {port} ssh2',
      'sshd[{pid}]: Failed password for invalid user {user} from {ip} port {port} ssh2',
      'sshd[{pid}]: Failed password for {user} from {ip} port {port} ssh2',
      'sshd[{pid}]: pam_unix(sshd:session): session opened for user {user} by (uid={n})',
      'sshd[{pid}]: pam_unix(sshd:session): session closed for user {user}',
      'sshd[{pid}]: Received disconnect from {ip} port {port}:11: disconnected by user',
      'sshd[{pid}]: reverse mapping checking getaddrinfo for {host} [{ip}] failed - POSSIBLE BREAK-IN ATTEMPT!',
      'sshd[{pid}]: Connection closed by authenticating user {user} {ip} port {port} [preauth]',
      'CRON[{pid}]: pam_unix(cron:session): session opened for user {user} by (uid=0)',
      'CRON[{pid}]: ({user}) CMD ({cron})',
      'systemd[1]: Starting {desc}...',
      'systemd[1]: Started {desc}.',
      'systemd[1]: {unit}: Succeeded.',
      'systemd[1]: {unit}: Main process exited, code=exited, status={n}/FAILURE',
      'systemd-logind[{pid}]: New session {n} of user {user}.',
      'systemd-logind[{pid}]: Removed session {n}.',
      'kernel: {kts} EXT4-fs ({dev}): mounted filesystem with ordered data mode. Opts: (null)',
      'kernel: {kts} Out of memory: Killed process {pid} ({proc}) total-vm:{kb}, anon-rss:{kb}, file-rss:{kb}, shmem-rss:{kb}',
      'kernel: {kts} {proc}[{pid}]: segfault at {addr} ip {hex16} sp {hex16} error {n} in libc-2.31.so[{addr}+{hex8}]',
      'kernel: {kts} {iface}: Link is Up - {n}Gbps/Full - flow control off',
      'kernel: {kts} {iface}: Link is Down',
      'kernel: {kts} [UFW BLOCK] IN={iface} OUT= MAC={addr} SRC={ip} DST={ip} LEN={n} TOS=0x00 PREC=0x00 TTL={n} ID={big} PROTO=TCP SPT={port} DPT={port} WINDOW={big} RES=0x00 SYN URGP=0',
      'kernel: {kts} blk_update_request: I/O error, dev {dev}, sector {big} op 0x0:(READ) flags 0x0 phys_seg 1 prio class 0',
      'dhclient[{pid}]: DHCPREQUEST for {ip} on {iface} to {ip} port 67 (xid={xid})',
      'dhclient[{pid}]: bound to {ip} -- renewal in {big} seconds.',
      'postfix/smtpd[{pid}]: connect from {host}[{ip}]',
      'postfix/smtpd[{pid}]: disconnect from {host}[{ip}] ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5',
      'postfix/smtp[{pid}]: {hex8}: to=<{user}@{host}>, relay={host}[{ip}]:25, delay={secs}, status=sent (250 2.0.0 OK)',
      'sudo: {user} : TTY=pts/{n} ; PWD={path} ; USER=root ; COMMAND={path}',
      'su[{pid}]: (to {user}) {user} on pts/{n}',
      'rsyslogd: [origin software="rsyslogd" swVersion="8.2001.0" x-pid="{pid}" x-info="https://www.rsyslog.com"] rsyslogd was HUPed',
      'named[{pid}]: client @{addr} {ip}#{port} ({host}): query failed (SERVFAIL) for {host}/IN/A at query.c:{n}',
      'ntpd[{pid}]: Listen normally on {n} {iface} {ip}:123',
      'smartd[{pid}]: Device: /dev/{dev} [SAT], SMART Usage Attribute: 194 Temperature_Celsius changed from {n} to {n}',
      'anacron[{pid}]: Job `cron.daily\' terminated',
      'logrotate: error: skipping "{path}" because parent directory has insecure permissions',
    ],
  },
  {
    name: 'cloud-api',
    vars: { ...common, route, tenant, reqid: uuid, grpc: grpcMethod, phrase: skewed(['OK', 'Created', 'Not Found', 'Internal Server Error', 'Unprocessable Entity', 'No Content']), agent: pick(['curl/7.81.0', 'python-requests/2.31.0', 'Go-http-client/1.1', 'Mozilla/5.0']) },
    templates: [
      '{ip} "GET {route} HTTP/1.1" status: {status} len: {bytes} time: {secs}',
      '{ip} "POST {route} HTTP/1.1" status: {status} len: {bytes} time: {secs}',
      '{ip} "DELETE {route} HTTP/1.1" status: {status} len: {bytes} time: {secs}',
      '[instance: {uuid}] Instance spawned successfully.',
      '[instance: {uuid}] Took {secs} seconds to build instance.',
      '[instance: {uuid}] Terminating instance',
      '[instance: {uuid}] During sync_power_state the instance has a pending task (spawning). Skip.',
      'request_id={reqid} method=GET path={route} status={status} duration={duration} bytes={bytes} remote={ip}:{port}',
      'request_id={reqid} method=PUT path={route} status={status} duration={duration} bytes={bytes} remote={ip}:{port}',
      'Started GET "{route}" for {ip} at {dt} +0000',
      'Started POST "{route}" for {ip} at {dt} +0000',
      'Completed {status} {phrase} in {ms}ms (Views: {secs}ms | ActiveRecord: {secs}ms | Allocations: {big})',
      'START RequestId: {reqid} Version: $LATEST',
      'END RequestId: {reqid}',
      'REPORT RequestId: {reqid}\tDuration: {secs} ms\tBilled Duration: {ms} ms\tMemory Size: 128 MB\tMax Memory Used: {n} MB',
      'finished unary call with code OK grpc.method={grpc} grpc.service=shop.v1.{grpc}Service grpc.time_ms={secs} peer.address={ip}:{port}',
      'upstream timed out (110: Connection timed out) while reading response header from upstream, client: {ip}, server: {host}, request: "GET {route} HTTP/1.1", upstream: "http://{ip}:{port}/", host: "{host}"',
      'Creating event network-vif-plugged:{uuid} for instance {uuid}',
      'Claim successful on node {shost}',
      'Auditing locally available compute resources for {shost} (node: {host})',
      'Final resource view: name={host} phys_ram={big}MB used_ram={big}MB phys_disk={n}GB used_disk={n}GB total_vcpus={n} used_vcpus={n} pci_stats=[]',
      'token validation failed for request {reqid}: token expired at {dt}',
      'rate limit exceeded for tenant {tenant} ({n} req/s > {n} req/s), rejecting request {reqid}',
      'GET {route} {status} {secs} ms - {bytes}',
      'POST {route} {status} {secs} ms - {bytes}',
      'Retrying request to {host} after {duration} (attempt {n} of 5): context deadline exceeded',
    ],
  },
  {
    name: 'java-components',
    vars: { ...common, exc: javaClass, stage: (r) => `${int(0, 300)(r)}.0`, tid: int(0, 90000), bsize: (r) => `${fixed(r() * 900, 1)}`, appid: (r) => `application_${int(1440000000000, 1450000000000)(r)}_${String(int(1, 9999)(r)).padStart(4, '0')}`, container: (r) => `container_${int(1440000000000, 1450000000000)(r)}_${String(int(1, 9999)(r)).padStart(4, '0')}_01_${String(int(1, 999)(r)).padStart(6, '0')}`, shuffle: (r) => `shuffle_${int(0, 99)(r)}_${int(0, 9999)(r)}_${int(0, 99)(r)}`, topic: pick(['orders', 'payments.v2', 'clickstream', 'audit-log']), group: pick(['billing-consumers', 'indexer', 'fraud-detector']) },
    templates: [
      'Starting task {stage} in stage {stage} (TID {tid}, {shost}, executor {n}, partition {n}, PROCESS_LOCAL, {big} bytes)',
      'Finished task {stage} in stage {stage} (TID {tid}) in {ms} ms on {shost} (executor {n}) ({n}/{n})',
      'Block broadcast_{n} stored as values in memory (estimated size {bsize} KB, free {bsize} MB)',
      'Block broadcast_{n}_piece0 stored as bytes in memory (estimated size {bsize} KB, free {bsize} MB)',
      'Added broadcast_{n}_piece0 in memory on {ip}:{port} (size: {bsize} KB, free: {bsize} MB)',
      'Registering block manager {shost}:{port} with {bsize} MB RAM, BlockManagerId({n}, {shost}, {port}, None)',
      'Lost task {stage} in stage {stage} (TID {tid}, {shost}, executor {n}): {exc}: Connection reset by peer',
      'Exception in task {stage} in stage {stage} (TID {tid})',
      'Getting {n} non-empty blocks including {n} local blocks and {n} remote blocks',
      'Started {n} remote fetches in {ms} ms',
      'Reading broadcast variable {n} took {ms} ms',
      'Connecting to ResourceManager at {shost}/{ip}:{port}',
      'Submitted application {appid}',
      'Application report for {appid} (state: RUNNING)',
      'Application report for {appid} (state: ACCEPTED)',
      'Launching container {container} on host {shost} for command java -Xmx{n}m org.apache.spark.executor.CoarseGrainedExecutorBackend',
      'Retrying connect to server: {shost}/{ip}:{port}. Already tried {n} time(s); retry policy is RetryUpToMaximumCountWithFixedSleep(maxRetries=10, sleepTime=1000 MILLISECONDS)',
      'Removed {shuffle} on {ip}:{port} in memory (size: {bsize} KB, free: {bsize} MB)',
      'Successfully stopped SparkContext',
      'Shutdown hook called',
      'Deleting directory {path}',
      '[Consumer clientId=consumer-{group}-{n}, groupId={group}] Resetting offset for partition {topic}-{n} to position FetchPosition{offset={big}, offsetEpoch=Optional.empty}',
      '[Producer clientId=producer-{n}] Got error produce response with correlation id {big} on topic-partition {topic}-{n}, retrying ({n} attempts left). Error: NOT_LEADER_OR_FOLLOWER',
      'HikariPool-{n} - Connection is not available, request timed out after {ms}ms.',
      'HikariPool-{n} - Start completed.',
      'Initializing Spring DispatcherServlet \'dispatcherServlet\'',
      'Tomcat started on port(s): {port} (http) with context path \'\'',
      'Started Application in {secs} seconds (JVM running for {secs})',
      'Uncaught exception in thread Thread-{n}: {exc}',
    ],
  },
  {
    name: 'android',
    vars: { ...common, pkg, uidtag: (r) => `u0a${int(10, 400)(r)}`, vis: (r) => `0x${hex(r() < 0.5 ? 1 : 8)(r)}`, lock: int(10000000, 299999999), tag: pick(['*alarm*', 'NlpWakeLock', 'GCM_CONN_ALARM', '*job*/com.whatsapp/.Sync', 'AudioMix']), size: (r) => `${int(1, 900)(r)}${pick(['KB', 'MB'])(r)}`, sus: (r) => `${int(10, 999)(r)}us`, activity: pick(['.Main', '.MainActivity', '.SettingsActivity', '.ui.HomeActivity', 'org.chromium.chrome.browser.ChromeTabbedActivity']) },
    templates: [
      'Start proc {pid}:{pkg}/{uidtag} for service {pkg}/{activity}',
      'Start proc {pid}:{pkg}/{uidtag} for activity {pkg}/{activity}',
      'Killing {pid}:{pkg}/{uidtag} (adj {n}): empty #{n}',
      'acquire lock={lock}, flags=0x1, tag="{tag}", name={pkg}, ws=null, uid={big}, pid={pid}',
      'release:lock={lock}, flg=0x0, tag="{tag}", name={pkg}", ws=null, uid={big}, pid={pid}',
      'setSystemUiVisibility vis={vis} mask={vis} oldVal={vis} newVal={vis} diff={vis} fullscreenStackVis=0 dockedStackVis=0, fullscreenStackBounds=Rect(0, 0 - 0, 0), dockedStackBounds=Rect(0, 0 - 0, 0)',
      'Skipped {n} frames!  The application may be doing too much work on its main thread.',
      'Background concurrent copying GC freed {big}({size}) AllocSpace objects, {n}({size}) LOS objects, {n}% free, {size}/{size}, paused {sus} total {ms}ms',
      'Displayed {pkg}/{activity}: +{ms}ms',
      'getRunningAppProcesses: caller {big} does not hold REAL_GET_TASKS; limiting output',
      'Access denied finding property "{pkg}.debug"',
      'onReceive: action=android.intent.action.SCREEN_ON',
      'onReceive: action=android.intent.action.SCREEN_OFF',
      'handleMessage: MSG_SYNC_STATE, state={n}',
      'notifyUserActivity: timeout={ms}ms',
      'Package {pkg} has no enabled notification listeners',
      'Unable to start service Intent { act=com.google.android.c2dm.intent.RECEIVE pkg={pkg} } U=0: not found',
      'Scheduling restart of crashed service {pkg}/{activity} in {ms}ms',
      'Force stopping {pkg} appid={big} user=0: from pid {pid}',
      'batteryLevel:{n}, batteryTemperature:{n}, batteryVoltage:{big}',
    ],
  },
  {
    name: 'windows-cbs',
    vars: { ...common, pkgname: winPkg, wpath: winPath, sess: (r) => `${int(30000000, 31999999)(r)}_${int(1000000000, 4294967295)(r)}`, client: pick(['WindowsUpdateAgent', 'TrustedInstaller FinalizeDownloads', 'UpdateAgentLCU', 'Dism']), state: int(0, 112), guid: (r) => `{${uuid(r)}}` },
    templates: [
      'Loaded Servicing Stack v6.1.7601.{big} with Core: {wpath}',
      'SQM: Initializing online with Windows opt-in: False',
      'SQM: Cleaning up report files older than 10 days.',
      'SQM: Requesting upload of all unsent reports.',
      'SQM: Failed to start upload with file pattern: C:\\Windows\\servicing\\sqm\\*_std.sqm, flags: 0x2 [HRESULT = {=0x800f080d - CBS_E_MANIFEST_INVALID_ITEM|0x80004005 - E_FAIL|0x800f0805 - CBS_E_INVALID_PACKAGE|0x80070002 - ERROR_FILE_NOT_FOUND}]',
      'Session: {sess} initialized by client {client}.',
      'Read out cached package applicability for package: {pkgname}, ApplicableState: {state}, CurrentState:{state}',
      'Failed to get next element [HRESULT = {=0x800f080d - CBS_E_MANIFEST_INVALID_ITEM|0x80004005 - E_FAIL|0x800f0805 - CBS_E_INVALID_PACKAGE|0x80070002 - ERROR_FILE_NOT_FOUND}]',
      'Warning: Unrecognized packageExtended attribute.',
      'Expecting attribute name [HRESULT = {=0x800f080d - CBS_E_MANIFEST_INVALID_ITEM|0x80004005 - E_FAIL|0x800f0805 - CBS_E_INVALID_PACKAGE|0x80070002 - ERROR_FILE_NOT_FOUND}]',
      'Starting TrustedInstaller initialization.',
      'Ending TrustedInstaller initialization.',
      'Starting the TrustedInstaller main loop.',
      'TrustedInstaller service starts successfully.',
      'Trusted Installer is shutting down because: SHUTDOWN_REASON_AUTOSTOP',
      'Appl: detect Parent, Package: {pkgname}, Parent: {pkgname}, Disposition = Detect, VersionComp: EQ, ServiceComp: GE, BuildComp: GE, DistributionComp: GE, RevisionComp: GE, Exist: present',
      'Unloading offline registry hive: {guid}GLOBALROOT/Device/HarddiskVolumeShadowCopy{n}/Windows/System32/config/COMPONENTS',
      'Exec: Processing complete.  Session: {sess}, Package: {pkgname} [HRESULT = {=0x800f080d - CBS_E_MANIFEST_INVALID_ITEM|0x80004005 - E_FAIL|0x800f0805 - CBS_E_INVALID_PACKAGE|0x80070002 - ERROR_FILE_NOT_FOUND}]',
      'Plan: Package: {pkgname}, Applicability: {state}, CurrentState:{state}, TargetState:{state}',
      'Reboot mark set',
      'Failed to open file {wpath} [HRESULT = {=0x800f080d - CBS_E_MANIFEST_INVALID_ITEM|0x80004005 - E_FAIL|0x800f0805 - CBS_E_INVALID_PACKAGE|0x80070002 - ERROR_FILE_NOT_FOUND}]',
      'CSI Transaction @{big} initialized for deployment engine {guid} with flags {n} and client id [{n}]"TI5.{sess}:{n}/"',
    ],
  },
  {
    name: 'zookeeper',
    vars: { ...common, sid: sessionHex, zxid: (r) => `0x${Math.floor(r() * 2 ** 36).toString(16)}`, myid: int(1, 5), znode: (r) => `/${pick(['brokers', 'config', 'consumers', 'controller', 'hbase', 'locks'])(r)}/${pick(['ids', 'topics', 'rs', 'lock-'])(r)}${r() < 0.5 ? int(0, 9999)(r) : ''}` },
    templates: [
      'Accepted socket connection from /{ip}:{port}',
      'Client attempting to establish new session at /{ip}:{port}',
      'Client attempting to renew session {sid} at /{ip}:{port}',
      'Established session {sid} with negotiated timeout {big} for client /{ip}:{port}',
      'Closed socket connection for client /{ip}:{port} which had sessionid {sid}',
      'Closed socket connection for client /{ip}:{port} (no session established for client)',
      'Processed session termination for sessionid: {sid}',
      'Expiring session {sid}, timeout of {big}ms exceeded',
      'caught end of stream exception',
      'Exception causing close of session {sid} due to java.io.IOException: Connection reset by peer',
      'Connection broken for id {myid}, my id = {myid}, error =',
      'Interrupted while waiting for message on queue',
      'Send worker leaving thread',
      'Cannot open channel to {myid} at election address /{ip}:{port}',
      'Received connection request /{ip}:{port}',
      'Have smaller server identifier, so dropping the connection: ({myid}, {myid})',
      'Notification: {myid} (n.leader), {zxid} (n.zxid), 0x{n} (n.round), LOOKING (n.state), {myid} (n.sid), 0x{n} (n.peerEPoch), LOOKING (my state)',
      'Got user-level KeeperException when processing sessionid:{sid} type:create cxid:0x{hex8} zxid:{zxid} txntype:-1 reqpath:n/a Error Path:{znode} Error:KeeperErrorCode = NodeExists for {znode}',
      'Reading snapshot /var/lib/zookeeper/version-2/snapshot.{hex8}',
      'Snapshotting: {zxid} to /var/lib/zookeeper/version-2/snapshot.{hex8}',
      'tickTime set to {big}',
      'minSessionTimeout set to -1',
      'FOLLOWING - LEADER ELECTION TOOK - {big}',
      'LEADING - LEADER ELECTION TOOK - {big}',
      'Unable to read additional data from client sessionid {sid}, likely client has closed socket',
    ],
  },
  {
    name: 'hpc',
    vars: { ...common, node, range: nodeRange, job: int(100000, 9999999), part: pick(['batch', 'gpu', 'debug', 'long']), temp: int(40, 99), hwid: int(1000, 9999), bank: int(0, 9), gid: int(100, 60000) },
    templates: [
      'NodeName={node} Reason=Not responding [slurm@{dt}]',
      'error: Nodes {range} not responding',
      'Nodes {range} now responding',
      'sched: Allocate JobId={job} NodeList={range} #CPUs={n} Partition={part}',
      '_job_complete: JobId={job} WEXITSTATUS {n}',
      '_job_complete: JobId={job} done',
      '_slurm_rpc_submit_batch_job: JobId={job} InitPrio={big} usec={big}',
      'launch task {job}.{n} request from UID:{gid} GID:{gid} HOST:{ip} PORT:{port}',
      'Node {node} state changed to DOWN',
      'Node {node} state changed to UP',
      'node {node} is in the unavailable state (HWID={hwid})',
      'Temperature ({temp}C) exceeds warning threshold on {node}',
      'Fan speed {big} RPM below threshold on {node} fan{n}',
      'MCE: CPU{n} Machine Check Exception: {n} Bank {bank}: {hex16}',
      'EDAC MC{n}: {n} CE error on CPU#{n}Channel#{n}_DIMM#{n} (channel:{n} slot:{n} page:0x{hex8} offset:0x0 grain:8 syndrome:0x{hex8})',
      'ClusterFileSystem: There is no server for ServerFileSystem domain storage{n}',
      'boot (command {big}) Error: couldn\'t connect to console {node}',
      'PSU status on {node} ( on off )',
      'Link error on broadcast tree Interconnect-{n}T{n}:{n}:{n}:{n}',
      'ib{n}: port {n} link state changed to ACTIVE',
      'Lustre: {n}:0:(client.c:{big}:ptlrpc_expire_one_request()) Request sent has timed out for slow reply: [sent {big}] req@{hex16} x{big}/t0(0) o400->scratch-OST{n}@{ip}@o2ib',
    ],
  },
  {
    name: 'k8s-go',
    vars: { ...common, pod: podName, ns, container, image, cid: hex(64), reason: pick(['Completed', 'OOMKilled', 'Error', 'ContainerCannotRun']), probe: pick(['Liveness', 'Readiness', 'Startup']) },
    templates: [
      '"Started container" pod="{ns}/{pod}" containerName="{container}" containerID="containerd://{cid}"',
      '"Killing container with a grace period" pod="{ns}/{pod}" podUID="{uuid}" containerName="{container}" containerID="containerd://{cid}" gracePeriod={n}',
      'Successfully pulled image "{image}" in {duration} ({duration} including waiting)',
      'Pulling image "{image}"',
      'Back-off restarting failed container {container} in pod {pod}_{ns}({uuid})',
      '"Probe failed" probeType="{probe}" pod="{ns}/{pod}" podUID="{uuid}" containerName="{container}" probeResult="failure" output="HTTP probe failed with statuscode: {status}"',
      '"SyncLoop (PLEG): event for pod" pod="{ns}/{pod}" event={"ID":"{uuid}","Type":"ContainerDied","Data":"{cid}"}',
      '"SyncLoop ADD" source="api" pods=[{ns}/{pod}]',
      '"SyncLoop DELETE" source="api" pods=[{ns}/{pod}]',
      'level=info ts={dt} caller=main.go:{n} msg="Server is ready to receive web requests."',
      'level=warn ts={dt} caller=scrape.go:{big} component="scrape manager" scrape_pool={container} target=http://{ip}:{port}/metrics msg="Append failed" err="out of bounds"',
      'level=error ts={dt} caller=notifier.go:{n} component=notifier alertmanager=http://{ip}:9093/api/v2/alerts count={n} msg="Error sending alert" err="context deadline exceeded"',
      'http: TLS handshake error from {ip}:{port}: EOF',
      'http: TLS handshake error from {ip}:{port}: remote error: tls: bad certificate',
      'Error syncing pod {uuid} ("{pod}_{ns}({uuid})"), skipping: failed to "StartContainer" for "{container}" with CrashLoopBackOff: "back-off {duration} restarting failed container={container} pod={pod}_{ns}({uuid})"',
      'Container {container} terminated with reason {reason}, exit code {n}',
      'Reconciling Deployment {ns}/{pod}',
      'leaderelection.go:{n}] successfully acquired lease {ns}/{container}-controller',
    ],
  },
];

export interface GeneratedLog {
  messages: string[];
  /** ground-truth group per line (the template's index within the style) */
  truth: string[];
  /** ground-truth template per line, values written <*> */
  templates: string[];
}

/**
 * n lines of one style. Template i of the shuffled list has weight 1/(i+1) (Zipf), so a few
 * statements make most lines and the rest are rare, as in a real 2,000-line sample.
 */
export function generateStyle(style: LogStyle, n: number, seed: number): GeneratedLog {
  const r = seededRandom(seed);
  const order = style.templates.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const weights = order.map((_, rank) => 1 / (rank + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const out: GeneratedLog = { messages: [], truth: [], templates: [] };
  for (let k = 0; k < n; k++) {
    let u = r() * total;
    let rank = 0;
    while (rank < weights.length - 1 && u >= weights[rank]) u -= weights[rank++];
    const ti = order[rank];
    // constant alternatives first: each picks its own truth template
    const picked: number[] = [];
    const text = style.templates[ti].replace(/\{=([^}]+)\}/g, (_m, alts: string) => {
      const xs = alts.split('|');
      const k = Math.floor(r() * xs.length);
      picked.push(k);
      return xs[k];
    });
    out.messages.push(text.replace(/\{(\w+)\}/g, (_m, v: string) => {
      const g = style.vars[v];
      if (!g) throw new Error(`${style.name}: no variable ${v}`);
      return g(r);
    }));
    out.truth.push(`${style.name}:E${ti + 1}${picked.map((k) => '.' + k).join('')}`);
    out.templates.push(text.replace(/\{(\w+)\}/g, '<*>'));
  }
  return out;
}
