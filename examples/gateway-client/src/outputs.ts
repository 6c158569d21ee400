/**
 * Where the peers are, from the stack outputs: `gatewayClients` (written by the
 * Pulumi program, fabric_nodes/gateway_clients.py) gives per peer org its MSP
 * ID, its TLS root certificate and per peer the endpoint reachable from where
 * the client runs and the host name to verify in the peer's TLS certificate.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** One peer of one org, everything a gRPC connection and a Gateway identity need. */
export interface Target {
    mspId: string;
    tlsRootCert: string;
    peer: string;
    endpoint: string;
    hostNameOverride: string;
}

/** The outputs in `file` (what `pulumi stack output --json` prints), or those of
 * the current (or named) stack, read through the Pulumi CLI. */
export function readOutputs(file: string | undefined, stack: string | undefined): unknown {
    if (file !== undefined) {
        return parseJson(readFileSync(file, 'utf8'), file);
    }
    const args = ['stack', 'output', '--json', ...(stack !== undefined ? ['--stack', stack] : [])];
    return parseJson(execFileSync('pulumi', args, { encoding: 'utf8' }), `pulumi ${args.join(' ')}`);
}

function parseJson(text: string, source: string): unknown {
    try {
        return JSON.parse(text);
    } catch (error) {
        throw new Error(`${source}: not JSON (${(error as Error).message})`);
    }
}

/** The peer `peer` of `org` (its first peer when not given), at its
 * `externalEndpoint` when `external` (a stack with external access), or an
 * error naming the output field that is missing. */
export function findTarget(outputs: unknown, org: string, peer: string | undefined, external: boolean): Target {
    const clients = field(outputs, 'gatewayClients', 'the stack outputs');
    const client = field(clients, org, 'gatewayClients');
    const where = `gatewayClients.${org}`;
    const mspId = text(client, 'mspId', where);
    const tlsRootCert = text(client, 'tlsRootCert', where);
    const peers = field(client, 'peers', where);
    const names = Object.keys(peers);
    const name = peer ?? names[0];
    if (name === undefined) {
        throw new Error(`${where}.peers is empty`);
    }
    const entry = field(peers, name, `${where}.peers`);
    return {
        mspId,
        tlsRootCert,
        peer: name,
        endpoint: text(entry, external ? 'externalEndpoint' : 'endpoint', `${where}.peers.${name}`),
        hostNameOverride: text(entry, 'hostNameOverride', `${where}.peers.${name}`),
    };
}

function field(value: unknown, key: string, where: string): Record<string, unknown> {
    const found = (value as Record<string, unknown> | null)?.[key];
    if (typeof found !== 'object' || found === null) {
        const known = typeof value === 'object' && value !== null ? Object.keys(value).join(', ') : '';
        throw new Error(`${where} has no ${key}${known ? ` (it has: ${known})` : ''}`);
    }
    return found as Record<string, unknown>;
}

function text(value: Record<string, unknown>, key: string, where: string): string {
    const found = value[key];
    if (typeof found !== 'string' || found === '') {
        throw new Error(`${where}.${key} is missing or not a string`);
    }
    return found;
}
