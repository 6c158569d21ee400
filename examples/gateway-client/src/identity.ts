/**
 * The user the client signs as: a certificate and its private key, given as two
 * files or as an MSP folder in cryptogen's layout (`signcerts/*.pem`,
 * `keystore/priv_sk`), as the local network writes it and as the stack's user
 * Secrets hold it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface UserFiles {
    certificate: Buffer;
    privateKey: Buffer;
}

export function readUser(msp: string | undefined, cert: string | undefined, key: string | undefined): UserFiles {
    if (msp !== undefined) {
        if (cert !== undefined || key !== undefined) {
            throw new Error('give either --msp or --cert and --key, not both');
        }
        return {
            certificate: readFileSync(onlyFile(join(msp, 'signcerts'))),
            privateKey: readFileSync(onlyFile(join(msp, 'keystore'))),
        };
    }
    if (cert === undefined || key === undefined) {
        throw new Error('the user is missing: give --msp DIR, or --cert FILE and --key FILE');
    }
    return { certificate: readFileSync(cert), privateKey: readFileSync(key) };
}

function onlyFile(dir: string): string {
    const files = readdirSync(dir);
    if (files.length !== 1) {
        throw new Error(`${dir} should hold exactly one file, it holds ${files.length}`);
    }
    return join(dir, files[0]);
}
