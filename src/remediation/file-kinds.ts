// What kind of file a path is, for the judge and the reviewer: tests (an agent may add to them),
// and files no automated change may touch (CI workflows, build pipelines, lockfiles: a change
// there runs code with the repository's secrets, or swaps dependencies unseen).

const TEST_PATH = [
  /(^|\/)(test|tests|__tests__|spec|specs)\//,
  /\.(test|spec)\.[cm]?[jt]sx?$/,
  /(^|\/)test_[^/]*\.py$/,
  /_test\.(py|go|rb|exs?)$/,
  /(^|\/)[^/]*Tests?\.(java|kt|cs|swift)$/,
];

const PROTECTED_PATH = [
  /^\.github\/(workflows|actions)\//,
  /^\.github\/dependabot\.ya?ml$/,
  /^\.gitlab-ci\.ya?ml$/,
  /^\.circleci\//,
  /^\.ci\//,
  /^\.buildkite\//,
  /^\.drone\.ya?ml$/,
  /^\.travis\.ya?ml$/,
  /^azure-pipelines\.ya?ml$/,
  /^bitbucket-pipelines\.ya?ml$/,
  /(^|\/)Jenkinsfile$/,
  /(^|\/)(package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|bun\.lockb?|Cargo\.lock|go\.sum|poetry\.lock|Pipfile\.lock|uv\.lock|Gemfile\.lock|composer\.lock|gradle\.lockfile|packages\.lock\.json|flake\.lock)$/,
];

export function isTestFile(path: string): boolean {
  return TEST_PATH.some((r) => r.test(path));
}

export function isProtectedFile(path: string): boolean {
  return PROTECTED_PATH.some((r) => r.test(path));
}

/** A line that declares a test or asserts something (removing one weakens the tests). */
export const TEST_DECLARATION = /\b(it|test|describe|context)\s*(\.\s*(each|concurrent)\s*)?\(|\bdef\s+test_\w*|\bfunc\s+Test\w*|@Test\b|\bexpect\s*\(|\bassert\w*\s*[.(]|\bassert\s|\bt\.(Error|Fatal|Fail)\w*\(|\bshould\b/;

/** A line that skips or narrows tests. */
export const TEST_SKIP = /\b(it|test|describe|context)\s*\.\s*(skip|todo|only|fixme)\b|\b(xit|xdescribe|xtest|fit|fdescribe)\s*\(|@pytest\.mark\.(skip|xfail)|\bunittest\.skip|\bt\.Skip(Now|f)?\(|@(Ignore|Disabled)\b|\bpending\s*\(|\[Ignore\]|#\[ignore\]/;
