// An independent check of NCC Exchange proofs with Digital Bazaar's W3C Data Integrity stack
// (jsonld-signatures, @digitalbazaar/data-integrity, the eddsa-jcs-2022 and eddsa-rdfc-2022
// cryptosuites). Reads one JSON job on stdin, writes one JSON answer on stdout:
//
//   job:    {"contexts": {url: document},        served by an offline document loader
//            "descriptors": [node descriptor],    the controllers and their Multikey keys
//            "verify": [secured document],
//            "sign": [{"document", "cryptosuite", "verificationMethod", "created",
//                      "publicKeyMultibase", "secretKeyMultibase"}]}
//   answer: {"verified": [{"id", "verified", "errors"}], "signed": [secured document]}
//
// The loader serves only the contexts of the job and the keys its descriptors list; any other
// URL is refused, so nothing is ever fetched. A proof verifies when the signature holds under
// the key its verificationMethod names and that key is listed by the record's origin node
// (each descriptor is presented as a controller document whose assertionMethod lists its keys).
// Key validity windows (retired keys) are an NCC rule that the node checks, not this check.
import jsigs from 'jsonld-signatures';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as rdfcSuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {
  createSignCryptosuite as jcsSign,
  createVerifyCryptosuite as jcsVerify,
} from '@digitalbazaar/eddsa-jcs-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';

const {AssertionProofPurpose} = jsigs.purposes;

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

function offlineLoader(contexts, keys) {
  return async url => {
    if (Object.hasOwn(contexts, url)) {
      return {contextUrl: null, documentUrl: url, document: structuredClone(contexts[url])};
    }
    if (Object.hasOwn(keys, url)) {
      return {contextUrl: null, documentUrl: url, document: structuredClone(keys[url])};
    }
    throw new Error(`offline document loader: refused ${url}`);
  };
}

function controllersOf(descriptors) {
  const controllers = {};
  const keys = {};
  for (const descriptor of descriptors) {
    const methods = descriptor.verificationMethod ?? [];
    controllers[descriptor.id] = {id: descriptor.id, assertionMethod: methods.map(k => k.id)};
    for (const key of methods) keys[key.id] = key;
  }
  return {controllers, keys};
}

function verifySuite(cryptosuite) {
  if (cryptosuite === 'eddsa-jcs-2022') return new DataIntegrityProof({cryptosuite: jcsVerify()});
  return new DataIntegrityProof({cryptosuite: rdfcSuite});
}

function messages(error) {
  if (!error) return [];
  const list = Array.isArray(error) ? error : (error.errors ?? [error]);
  return list.flatMap(e => (e?.errors ? messages(e.errors) : [String(e?.message ?? e)]));
}

async function verifyOne(document, {controllers, documentLoader}) {
  const proofs = Array.isArray(document.proof) ? document.proof : [document.proof];
  const suites = [...new Set(proofs.map(p => p?.cryptosuite))].map(verifySuite);
  const controller = controllers[document.origin];
  if (!controller) return {verified: false, errors: [`no descriptor for ${document.origin}`]};
  const result = await jsigs.verify(structuredClone(document), {
    suite: suites, purpose: new AssertionProofPurpose({controller}), documentLoader,
  });
  // jsigs verifies a proof set when *one* proof matches; NCC descriptors need every proof.
  const results = result.results ?? [];
  const every = results.length === proofs.length && results.every(r => r.verified);
  return {verified: Boolean(result.verified && every), errors: messages(result.error)};
}

async function signOne(job, {documentLoader}) {
  const node = job.verificationMethod.split('#')[0];
  const keyPair = await Ed25519Multikey.from({
    id: job.verificationMethod, controller: node,
    publicKeyMultibase: job.publicKeyMultibase, secretKeyMultibase: job.secretKeyMultibase,
  });
  const cryptosuite = job.cryptosuite === 'eddsa-jcs-2022' ? jcsSign() : rdfcSuite;
  const suite = new DataIntegrityProof({signer: keyPair.signer(), cryptosuite, date: job.created});
  return jsigs.sign(structuredClone(job.document), {
    suite, purpose: new AssertionProofPurpose(), documentLoader,
  });
}

const job = await readStdin();
const {controllers, keys} = controllersOf(job.descriptors ?? []);
const documentLoader = offlineLoader(job.contexts ?? {}, keys);
const answer = {verified: [], signed: []};
for (const document of job.verify ?? []) {
  try {
    answer.verified.push({id: document.id, ...(await verifyOne(document, {controllers, documentLoader}))});
  } catch (error) {
    answer.verified.push({id: document?.id, verified: false, errors: messages(error)});
  }
}
for (const item of job.sign ?? []) {
  answer.signed.push(await signOne(item, {documentLoader}));
}
process.stdout.write(JSON.stringify(answer));
