// Config section `remediation:` — revert / fix pull requests after a rollback and their review
// (src/remediation/). Kept out of schema.ts so that shared file only gains one line.
import { z } from 'zod';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const BRANCH = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,199}$/;

const argv = (example: string) =>
  z
    .array(z.string().min(1).max(4096), { error: `must be a list of arguments (no shell), e.g. ${example}` })
    .min(1, { error: 'needs at least the program' })
    .refine((a) => !/\{/.test(a[0]), { error: 'the program (first element) may not contain a placeholder' });

/** What can differ per service: where its code lives and how it is checked. */
const repoFields = {
  /** the service's repository: a local clone's path, or a clone URL (cloned into workDir) */
  repo: z.string().min(1).optional(),
  /** GitHub "owner/name"; default: read from the remote's URL */
  repository: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, { error: 'repository must be "owner/name"' }).optional(),
  /** the branch remediation PRs target */
  baseBranch: z.string().regex(BRANCH, { error: 'baseBranch must be a plain branch name' }).optional(),
  remote: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/).optional(),
  /** the repository's own test command (agent fixes must pass it; the reviewer runs it) */
  testCommand: argv('["npm", "test"]').optional(),
  /** the repository's own linter; the changed files are appended */
  lintCommand: argv('["npx", "eslint"]').optional(),
};

export const remediationSchema = z
  .object({
    /** open a revert (or fix) PR by itself after every verified rollback */
    auto: z.boolean().default(false),
    mode: z.enum(['revert', 'agent']).default('revert'),
    ...repoFields,
    baseBranch: repoFields.baseBranch.default('main'),
    remote: repoFields.remote.default('origin'),
    /** where repositories given by URL are cloned */
    workDir: z.string().default('./data/repos'),
    /** the dashboard's public URL for the PR's link; default notifications.baseUrl, else the server's */
    dashboardUrl: z.url().optional(),
    labels: z.array(z.string().min(1).max(50)).default(['devops-commander', 'remediation']),
    commitAuthor: z
      .object({ name: z.string().min(1).default('DevOps Commander'), email: z.string().min(3).default('devops-commander@users.noreply.github.com') })
      .strict()
      .prefault({}),
    github: z
      .object({
        /** API base; GitHub Enterprise: https://HOST/api/v3 */
        apiUrl: z.url().optional(),
        /** the environment variable holding the token (never the token itself) */
        tokenEnv: z.string().regex(ENV_NAME, { error: 'tokenEnv must be an environment variable name' }).default('GITHUB_TOKEN'),
        /** GitHub's recommended write spacing and rate-limit waits */
        throttle: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    /** size limits of an agent's change (and the reviewer's diff-size rule) */
    limits: z
      .object({
        maxFiles: z.number().int().min(1).max(1000).default(10),
        maxLines: z.number().int().min(1).max(100_000).default(400),
        /** how much of the bad range's diff goes into the agent's task file */
        taskDiffBytes: z.number().int().min(1000).max(1_000_000).default(60_000),
      })
      .strict()
      .prefault({}),
    testTimeoutSeconds: z.number().int().min(1).max(7200).default(600),
    /** mode agent: the coding agent, started without a shell in a disposable worktree */
    agent: z
      .object({
        /** placeholders: {taskFile} {worktree} {service} {deploymentId} */
        argv: argv('["aider", "--yes", "--message-file", "{taskFile}"]'),
        timeoutSeconds: z.number().int().min(1).max(7200).default(900),
        /** variables passed through to the agent (its own model key); HOME, COMMANDER_*, GITHUB_TOKEN/GH_TOKEN and any variable holding one of the commander's tokens never are */
        passEnv: z.array(z.string().regex(ENV_NAME)).default([]),
      })
      .strict()
      .optional(),
    review: z
      .object({
        /** REQUEST_CHANGES only when configured; the reviewer never approves */
        event: z.enum(['COMMENT', 'REQUEST_CHANGES']).default('COMMENT'),
        /** also review pull_request webhooks of other PRs (POST /api/webhooks/github/pull-request) */
        pullRequests: z.boolean().default(false),
        /** add the optional LLM reviewer (COMMANDER_LLM_URL / COMMANDER_LLM_MODEL) */
        llm: z.boolean().default(false),
        timeoutSeconds: z.number().int().min(1).max(3600).default(300),
      })
      .strict()
      .prefault({}),
    /** per-service repositories and checks, over the defaults above */
    services: z.record(z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/), z.object(repoFields).strict()).default({}),
  })
  .strict()
  .prefault({});

export type RemediationConfig = z.infer<typeof remediationSchema>;

/** The settings for one service: its entry over the defaults. */
export function remediationFor(c: RemediationConfig, service: string): RemediationConfig & { baseBranch: string; remote: string } {
  const s = c.services[service] ?? {};
  const defined = Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined));
  return { ...c, ...defined } as RemediationConfig & { baseBranch: string; remote: string };
}
