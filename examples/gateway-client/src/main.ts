#!/usr/bin/env node
/**
 * A Fabric Gateway client of a network this Pulumi program runs: finds an org's
 * peer in the stack outputs, connects as a user of that org and submits or
 * evaluates one transaction, printing its result.
 *
 *   node dist/main.js --org Org1 --msp <user msp dir> --channel mychannel \
 *       --chaincode basic submit CreateAsset asset1 blue
 *   node dist/main.js ... evaluate ReadAsset asset1
 */
import * as grpc from '@grpc/grpc-js';
import { connect, GatewayError, hash, signers } from '@hyperledger/fabric-gateway';
import { createPrivateKey } from 'node:crypto';
import { parseArgs } from 'node:util';

import { readUser } from './identity';
import { findTarget, readOutputs } from './outputs';

const USAGE = `usage: gateway-client [--outputs FILE | --stack NAME] --org ORG [--peer NAME] [--external]
       (--msp DIR | --cert FILE --key FILE) --channel CHANNEL --chaincode NAME
       submit|evaluate FUNCTION [ARG...]`;

async function main(argv: string[]): Promise<void> {
    const { values, positionals } = parseArgs({
        args: argv,
        allowPositionals: true,
        options: {
            outputs: { type: 'string' },
            stack: { type: 'string' },
            org: { type: 'string' },
            peer: { type: 'string' },
            external: { type: 'boolean', default: false },
            msp: { type: 'string' },
            cert: { type: 'string' },
            key: { type: 'string' },
            channel: { type: 'string' },
            chaincode: { type: 'string' },
        },
    });
    const [mode, transaction, ...args] = positionals;
    if (values.org === undefined || values.channel === undefined || values.chaincode === undefined
        || (mode !== 'submit' && mode !== 'evaluate') || transaction === undefined) {
        throw new Error(USAGE);
    }
    const target = findTarget(readOutputs(values.outputs, values.stack), values.org, values.peer,
        values.external === true);
    const user = readUser(values.msp, values.cert, values.key);

    // The endpoint may be an address the peer's certificate does not name (127.0.0.1
    // for a local network): TLS verifies the host name override instead.
    const client = new grpc.Client(target.endpoint, grpc.credentials.createSsl(Buffer.from(target.tlsRootCert)), {
        'grpc.ssl_target_name_override': target.hostNameOverride,
    });
    const gateway = connect({
        client,
        identity: { mspId: target.mspId, credentials: user.certificate },
        signer: signers.newPrivateKeySigner(createPrivateKey(user.privateKey)),
        hash: hash.sha256,
        evaluateOptions: () => ({ deadline: Date.now() + 5_000 }),
        endorseOptions: () => ({ deadline: Date.now() + 15_000 }),
        submitOptions: () => ({ deadline: Date.now() + 5_000 }),
        commitStatusOptions: () => ({ deadline: Date.now() + 60_000 }),
    });
    try {
        const contract = gateway.getNetwork(values.channel).getContract(values.chaincode);
        const result = mode === 'submit'
            ? await contract.submitTransaction(transaction, ...args)
            : await contract.evaluateTransaction(transaction, ...args);
        process.stderr.write(`${mode} ${transaction} through ${target.peer} at ${target.endpoint} as ${target.mspId}\n`);
        process.stdout.write(`${Buffer.from(result).toString('utf8')}\n`);
    } finally {
        gateway.close();
        client.close();
    }
}

/** The peers' own messages, which say why a transaction failed. */
function describe(error: unknown): string {
    if (error instanceof GatewayError) {
        const details = error.details.map((d) => `\n  ${d.mspId} ${d.address}: ${d.message}`).join('');
        return `${error.message}${details}`;
    }
    return error instanceof Error ? error.message : String(error);
}

main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`gateway-client: ${describe(error)}\n`);
    process.exitCode = 1;
});
