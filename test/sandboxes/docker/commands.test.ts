import { describe, expect, it } from 'vitest';
import { dockerExec, dockerRunCommand, parseDockerInspect } from '../../../src/sandboxes/docker/commands.js';
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
      .toEqual({ status: 'exited', running: false, image: 'alpine', labels: {} });
    expect(() => parseDockerInspect('Error')).toThrow(/not JSON/);
  });
});
