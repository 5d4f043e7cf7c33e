// The fake GitHub's GraphQL endpoint, checked against GitHub's published GraphQL schema (the npm package
// @octokit/graphql-schema, its schema.json; version in package.json). A request must parse, validate, name only
// declared variables and coerce them; the answer is produced by executing the document over that schema, so its
// shape is the schema's. Whatever would not hold on GitHub comes back as problems for the fake to fail loudly on.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { inspect } from 'node:util';
import {
  buildClientSchema, defaultFieldResolver, execute, getOperationAST, getVariableValues, GraphQLError, GraphQLScalarType, Kind, parse, validate,
  type DocumentNode, type GraphQLFieldResolver, type GraphQLFormattedError, type GraphQLSchema, type IntrospectionQuery,
} from 'graphql';

/** GitHub's GraphQL schema and the @octokit/graphql-schema version it came from. */
export interface GraphqlSchema { schema: GraphQLSchema; version: string }

/** A request GitHub's schema accepts, ready to execute. */
export interface GraphqlRequest { document: DocumentNode; operationName: string | undefined; variables: Record<string, unknown> }

/** A root (Query or Mutation) field the fake implements; it gets the field's coerced arguments. */
export type RootResolver = (args: Record<string, unknown>) => unknown;

/** A response body as GitHub sends it: `data`, and errors carrying GitHub's `type` beside the message. */
export interface GraphqlResponse { data: Record<string, unknown> | null; errors?: GithubGraphqlErrorJson[] }

/** One entry of `errors` in GitHub's shape. */
export interface GithubGraphqlErrorJson { type: string; path: readonly (string | number)[] | undefined; locations: GraphQLFormattedError['locations']; message: string }

type Checked<T> = { ok: true; value: T } | { ok: false; problems: string[] };

/** An error the fake means GitHub to report (NOT_FOUND, UNPROCESSABLE, FORBIDDEN, ...); any other error is a fake bug. */
export class GithubGraphqlError extends Error {
  constructor(readonly type: string, message: string) {
    super(message);
  }
}

// GitHub enforces these formats server-side; graphql-js leaves a custom scalar of a client schema as identity.
const SCALAR_FORMATS: Record<string, RegExp> = {
  DateTime: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/,
  GitObjectID: /^[0-9a-f]{40}$/,
  URI: /^[a-z][a-z0-9+.-]*:\S+$/i,
};
const BODY_KEYS = new Set(['query', 'variables', 'operationName']);

let cached: GraphqlSchema | undefined;

/** Builds GitHub's GraphQL schema from @octokit/graphql-schema once per process. */
export function loadGraphqlSchema(): GraphqlSchema {
  if (cached) return cached;
  const dir = packageDir('@octokit/graphql-schema');
  const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string };
  // schema.json, not schema.graphql: the SDL of 15.26.1 declares two EnterpriseOwnerInfo fields twice and does not build.
  const schema = buildClientSchema(JSON.parse(readFileSync(join(dir, 'schema.json'), 'utf8')) as IntrospectionQuery);
  for (const [name, re] of Object.entries(SCALAR_FORMATS)) {
    const scalar = schema.getType(name);
    if (!(scalar instanceof GraphQLScalarType)) throw new Error(`GitHub's schema has no scalar ${name}`);
    const check = (v: unknown): string => {
      if (typeof v === 'string' && re.test(v)) return v;
      throw new GraphQLError(`${name} cannot represent ${inspect(v)} (${scalar.description ?? name})`);
    };
    scalar.serialize = check;
    scalar.parseValue = check;
    scalar.parseLiteral = (ast) => check(ast.kind === Kind.STRING ? ast.value : undefined);
  }
  cached = { schema, version };
  return cached;
}

/** Checks a POST /graphql body against GitHub's schema: the request to execute, or what is wrong with it. */
export function checkGraphqlRequest(body: unknown): Checked<GraphqlRequest> {
  const { schema } = loadGraphqlSchema();
  const fail = (...problems: string[]): Checked<GraphqlRequest> => ({ ok: false, problems });
  if (!isRecord(body)) return fail('the body is not a JSON object');
  const extra = Object.keys(body).filter((k) => !BODY_KEYS.has(k));
  if (extra.length) return fail(`the body has unknown keys ${extra.join(', ')}`);
  const { query, variables, operationName } = body;
  if (typeof query !== 'string') return fail('query is not a string');
  if (variables != null && !isRecord(variables)) return fail('variables is not an object');
  if (operationName != null && typeof operationName !== 'string') return fail('operationName is not a string');
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch (err) {
    return fail(`query does not parse: ${(err as Error).message}`);
  }
  const invalid = validate(schema, document);
  if (invalid.length) return fail(...invalid.map(where));
  const name = operationName ?? undefined;
  const operation = getOperationAST(document, name);
  if (!operation) return fail(name ? `no operation named ${name}` : 'several operations and no operationName');
  const vars = variables ?? {};
  const declared = new Set((operation.variableDefinitions ?? []).map((d) => d.variable.name.value));
  // graphql-js ignores undeclared variables; a client sending one has a typo or a query that lost an argument.
  const undeclared = Object.keys(vars).filter((k) => !declared.has(k)).map((k) => `variable $${k} is not declared by the operation`);
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], vars);
  const problems = [...undeclared, ...(coerced.errors ?? []).map(where)];
  if (problems.length) return fail(...problems);
  return { ok: true, value: { document, operationName: name, variables: vars } };
}

/** Executes a checked request over GitHub's schema with `root` as the implemented root fields: GitHub's response, or why the fake's answer breaks the schema. */
export async function executeGraphql(request: GraphqlRequest, root: Record<string, RootResolver>): Promise<Checked<GraphqlResponse>> {
  const { schema } = loadGraphqlSchema();
  const problems: string[] = [];
  const roots = new Set<unknown>([schema.getQueryType(), schema.getMutationType()]);
  const fieldResolver: GraphQLFieldResolver<unknown, unknown> = (source, args, context, info) => {
    if (!roots.has(info.parentType)) return defaultFieldResolver(source, args, context, info);
    const resolve = root[info.fieldName];
    if (resolve) return resolve(args);
    problems.push(`the fake does not implement ${info.parentType.name}.${info.fieldName}`);
    return null;
  };
  const result = await execute({ schema, document: request.document, operationName: request.operationName, variableValues: request.variables, rootValue: {}, fieldResolver });
  const errors: GithubGraphqlErrorJson[] = [];
  for (const e of result.errors ?? []) {
    const original = e.originalError;
    // A wrong enum value, a null in a non-null field, a malformed scalar: the fake's answer breaks the schema.
    if (!(original instanceof GithubGraphqlError)) problems.push(`${where(e)}${e.path ? ` at ${e.path.join('.')}` : ''}`);
    else errors.push({ type: original.type, path: e.path, locations: e.locations, message: e.message });
  }
  if (!result.data && !problems.length) problems.push('execution produced no data');
  if (problems.length) return { ok: false, problems };
  const data = JSON.parse(JSON.stringify(result.data)) as Record<string, unknown>;
  return { ok: true, value: errors.length ? { data, errors } : { data } };
}

function where(e: GraphQLError): string {
  const at = e.locations?.map((l) => `${l.line}:${l.column}`).join(', ');
  return at ? `${e.message} (at ${at})` : e.message;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// The package exports only its entry point, so its files are found beside it on the resolution paths.
function packageDir(name: string): string {
  const require = createRequire(import.meta.url);
  for (const base of require.resolve.paths(name) ?? []) {
    if (existsSync(join(base, name, 'package.json'))) return join(base, name);
  }
  throw new Error(`${name} is not installed (a devDependency): npm install`);
}
