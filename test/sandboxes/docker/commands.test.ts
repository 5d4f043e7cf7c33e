import { describe, expect, it } from 'vitest';
import { dockerExec, dockerRunCommand, missingSourceMounts, parseDockerInspect } from '../../../src/sandboxes/docker/commands.js';
import { sandbox } from '../helpers.js';

const sb = sandbox({ type: 'docker', path: '/opt/gitfleet/sandboxes/trainer', image: 'python:3.11-slim', env: { PYTHONUNBUFFERED: '1' } });

describe('docker commands (pure)', () => {
  it.each<[string, Parameters<typeof sandbox>[0]['limits'], string[]]>([
    ['both limits', { cpus: 4, memory: '8Gi' }, ['--cpus', '4', '--memory', '8g']],
    ['fractional cpus, bytes for 1.5Gi', { cpus: 0.5, memory: '1.5Gi' }, ['--cpus', '0.5', '--memory', '1610612736']],
    ['memory only', { memory: '512Mi' }, ['--memory', '512m']],
    ['none', undefined, []],
  ])('run with %s', (_, limits, want) => {
    expect(dockerRunCommand({ ...sb, limits })).toEqual({
      file: 'docker',
      args: ['run', '-d', '--name', 'gitfleet-trainer', '--init', '--restart', 'unless-stopped', ...want,
        '--label', 'gitfleet.sandbox=trainer', '--label', 'gitfleet.template=python-ml',
        '-v', '/opt/gitfleet/sandboxes/trainer:/sandbox', 'python:3.11-slim', 'sleep', 'infinity'],
    });
  });

  it.each<[string, Partial<typeof sb>, RegExp]>([
    ['an option-like image', { image: '--privileged' }, /needs an image/],
    ['bad memory', { limits: { memory: '8 GB' } }, /not a quantity/],
    ['zero cpus', { limits: { cpus: 0 } }, /positive/],
    ['a name that is not a resource name', { name: 'Bad Name' }, /sandbox name/],
    ['a path with ..', { path: '/opt/gitfleet/../etc' }, /`\.\.`/],
  ])('run refuses %s', (_, over, msg) => expect(() => dockerRunCommand({ ...sb, ...over })).toThrow(msg));

  it('run mounts each package folder read-only at its fixed place, once, in a stable order', () => {
    const args = dockerRunCommand(sb, ['/srv/fleet/artifacts/wheels', 'C:\\fleet\\wheels', '/srv/fleet/artifacts/wheels']).args;
    expect(args.slice(args.indexOf('-v'), -3)).toEqual([
      '-v', '/opt/gitfleet/sandboxes/trainer:/sandbox',
      '--mount', 'type=bind,source=/srv/fleet/artifacts/wheels,target=/gitfleet/sources/4361e54bdb663057,readonly',
      '--mount', 'type=bind,source=C:\\fleet\\wheels,target=/gitfleet/sources/36a300a91d42e1c8,readonly',
    ]);
    expect(args.slice(-3)).toEqual(['python:3.11-slim', 'sleep', 'infinity']);
  });

  it.each([['relative', 'wheels'], ['a comma', '/srv/w,readonly=false'], ['the root', '/']])('run refuses a package folder that is %s', (_, f) => {
    expect(() => dockerRunCommand(sb, [f])).toThrow(expect.objectContaining({ code: 'E_VALIDATION' }));
  });

  it('exec wraps the command with env, stdin and a mapped workdir', () => {
    expect(dockerExec(sb, { file: 'python', args: ['-c', 'print(1)'], env: { A: 'b c' }, cwd: '/opt/gitfleet/sandboxes/trainer/app', input: 'x', timeoutMs: 5 })).toEqual({
      file: 'docker',
      args: ['exec', '-i', '-e', 'PYTHONUNBUFFERED=1', '-e', 'A=b c', '-w', '/sandbox/app', 'gitfleet-trainer', 'python', '-c', 'print(1)'],
      input: 'x', timeoutMs: 5,
    });
    expect(dockerExec({ ...sb, env: {} }, { file: 'pip', args: ['list'], cwd: '/work' }).args)
      .toEqual(['exec', '-w', '/work', 'gitfleet-trainer', 'pip', 'list']);
  });

  it('exec passes credential-bearing env by name: the value goes to the docker client\'s environment, never its argv', () => {
    const npmAuth = 'npm_config_//npm.example.com/:_authToken';
    const cmd = dockerExec(sb, {
      file: 'python3', args: ['-m', 'pip', 'install', 'alpha==1.0.0'],
      env: { PIP_CONFIG_FILE: '/dev/null', PIP_INDEX_URL: 'https://__token__:s3cr3t@pkgs.example.com/simple/', [npmAuth]: 'npm_s3cr3t' },
    });
    expect(cmd).toEqual({
      file: 'docker',
      args: ['exec', '-e', 'PYTHONUNBUFFERED=1', '-e', 'PIP_CONFIG_FILE=/dev/null', '-e', 'PIP_INDEX_URL', '-e', npmAuth,
        'gitfleet-trainer', 'python3', '-m', 'pip', 'install', 'alpha==1.0.0'],
      env: { PIP_INDEX_URL: 'https://__token__:s3cr3t@pkgs.example.com/simple/', [npmAuth]: 'npm_s3cr3t' },
    });
    expect(cmd.args.join(' ')).not.toMatch(/s3cr3t/);
  });

  it('parses docker container inspect', () => {
    expect(parseDockerInspect('[]')).toBeUndefined();
    expect(parseDockerInspect(JSON.stringify([{ State: { Status: 'exited', Running: false }, Config: { Image: 'alpine', Labels: null } }])))
      .toEqual({ status: 'exited', running: false, image: 'alpine', labels: {}, mounts: [] });
    const withMounts = parseDockerInspect(JSON.stringify([{
      State: { Status: 'running', Running: true }, Config: { Image: 'alpine', Labels: {} },
      Mounts: [{ Type: 'bind', Source: '/opt/gitfleet/sandboxes/trainer', Destination: '/sandbox', RW: true }, { Type: 'bind', Source: '/run/desktop/mnt/host/c/fleet/wheels', Destination: '/gitfleet/sources/36a300a91d42e1c8', RW: false }],
    }]))!;
    expect(withMounts.mounts).toEqual(['/sandbox', '/gitfleet/sources/36a300a91d42e1c8']);
    // matched by where it is inside, not by the source docker reports (Docker Desktop's own path here)
    expect(missingSourceMounts(withMounts, ['C:\\fleet\\wheels', '/srv/fleet/artifacts/wheels'])).toEqual(['/srv/fleet/artifacts/wheels']);
    expect(missingSourceMounts(withMounts, [])).toEqual([]);
    expect(() => parseDockerInspect('Error')).toThrow(/not JSON/);
  });
});
