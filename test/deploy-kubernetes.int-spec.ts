import { QUEUES } from '@revline/messaging';
import { APP_NODE_ARGS } from '@revline/platform';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Job } from 'kubernetes-models/batch/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Service } from 'kubernetes-models/v1';
import type { IContainer, IEnvVar } from 'kubernetes-models/v1';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..', 'deploy', 'kubernetes');
const APPS = ['experience-finance', 'process-q2c', 'system-salesforce', 'system-billing', 'system-erp'];
const WORKER_APPS = APPS.filter((app) => app !== 'experience-finance');

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, unknown>;
  file: string;
}

/** The Kubernetes API objects, each checked against the schema of its apiVersion and kind. */
const MODELS: Partial<Record<string, new (doc: never) => { validate(): void }>> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'batch/v1/Job': Job,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
};
/** KEDA's CRDs: no schema in kubernetes-models, their required fields are checked below. */
const CRDS = ['keda.sh/v1alpha1/ScaledObject', 'keda.sh/v1alpha1/TriggerAuthentication'];

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return yamlFiles(path);
    return entry.name.endsWith('.yaml') ? [path] : [];
  });
}

function parse(path: string): Manifest[] {
  return parseAllDocuments(readFileSync(path, 'utf8')).map((doc) => {
    expect(doc.errors, path).toEqual([]);
    return { ...(doc.toJS() as Omit<Manifest, 'file'>), file: relative(ROOT, path) };
  });
}

const files = yamlFiles(ROOT).filter((path) => !path.endsWith('kustomization.yaml'));
const manifests = files.flatMap(parse);
const typeOf = (m: { apiVersion: string; kind: string }) => `${m.apiVersion}/${m.kind}`;
const find = (kind: string, name: string) =>
  manifests.find((m) => m.kind === kind && m.metadata.name === name);

function validate(manifest: Manifest): void {
  const { file, ...doc } = manifest;
  const Model = MODELS[typeOf(doc)];
  if (!Model) throw new Error(`${file}: ${typeOf(doc)} is neither a known Kubernetes kind nor a known CRD`);
  new Model(doc as never).validate();
}

function container(app: string): IContainer {
  const deployment = find('Deployment', app) as unknown as Deployment;
  const first = deployment.spec?.template.spec?.containers.at(0);
  if (!first) throw new Error(`${app} has no container`);
  return first;
}

describe('deploy/kubernetes manifests', () => {
  it('are all valid against the Kubernetes schemas of their kind (kubernetes-models)', () => {
    expect(manifests.length).toBeGreaterThan(20);
    for (const manifest of manifests) {
      if (CRDS.includes(typeOf(manifest))) continue;
      expect(() => {
        validate(manifest);
      }, `${manifest.file}: ${manifest.kind} ${manifest.metadata.name}`).not.toThrow();
    }
  });

  it('the validation refuses a malformed Deployment (the check can fail)', () => {
    const broken = structuredClone(find('Deployment', 'process-q2c')) as Manifest;
    (broken.spec as { replicas: unknown }).replicas = 'two';
    expect(() => {
      validate(broken);
    }).toThrow();
    expect(() => {
      validate({ ...broken, apiVersion: 'apps/v1beta1' });
    }).toThrow(/neither a known Kubernetes kind/);
  });

  it('the ConfigMap gives the apps their heap flags, and memory limits leave room above the heap', () => {
    expect(find('ConfigMap', 'revline-config')?.data?.NODE_OPTIONS).toBe(APP_NODE_ARGS.join(' '));
    for (const app of APPS) expect(container(app).resources?.limits?.memory).toBe('512Mi');
  });

  it('kustomization.yaml lists every manifest file', () => {
    const kustomization = parse(join(ROOT, 'kustomization.yaml')).at(0) as unknown as { resources: string[] };
    expect([...kustomization.resources].sort()).toEqual(files.map((f) => relative(ROOT, f)).sort());
  });

  it.each(APPS)(
    '%s: Deployment with probes on /health, resources, graceful stop, a Service and a PDB',
    (app) => {
      const deployment = find('Deployment', app) as unknown as Deployment;
      const pod = deployment.spec?.template.spec;
      const main = container(app);
      expect(main.command).toEqual(['node', `dist/apps/${app}/main.js`]);
      expect(main.readinessProbe?.httpGet?.path).toBe('/health');
      expect(main.livenessProbe?.httpGet?.path).toBe('/health/live');
      expect(main.resources?.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
      expect(main.resources?.limits?.memory).toEqual(expect.any(String));
      expect(main.lifecycle?.preStop?.exec?.command).toEqual(['sleep', '10']);
      expect(pod?.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(40);
      expect(deployment.spec?.replicas).toBeGreaterThanOrEqual(2);
      const port = main.ports?.[0]?.containerPort;
      const service = find('Service', app) as unknown as Service;
      expect(service.spec?.ports?.[0]).toMatchObject({ port, targetPort: 'http' });
      expect(service.spec?.selector).toEqual(deployment.spec?.selector.matchLabels);
      const pdb = find('PodDisruptionBudget', app) as unknown as PodDisruptionBudget;
      expect(pdb.spec?.selector?.matchLabels).toEqual(deployment.spec?.selector.matchLabels);
      expect(pdb.spec?.minAvailable).toBe(1);
    },
  );

  it.each(WORKER_APPS)('%s: KEDA scales it on the BullMQ wait lists of queues it consumes', (app) => {
    const scaled = find('ScaledObject', app) as unknown as {
      spec: {
        scaleTargetRef: { name: string };
        minReplicaCount: number;
        triggers: Array<{
          type: string;
          metadata: Record<string, string>;
          authenticationRef: { name: string };
        }>;
      };
    };
    const prefix = String(find('ConfigMap', 'revline-config')?.data?.QUEUE_PREFIX);
    expect(scaled.spec.scaleTargetRef.name).toBe(app);
    expect(scaled.spec.minReplicaCount).toBeGreaterThanOrEqual(2);
    expect(scaled.spec.triggers.length).toBeGreaterThan(0);
    for (const trigger of scaled.spec.triggers) {
      expect(trigger.type).toBe('redis');
      const [keyPrefix, queue, list] = trigger.metadata.listName.split(':');
      expect([keyPrefix, list]).toEqual([prefix, 'wait']);
      expect(Object.keys(QUEUES)).toContain(queue);
      expect(Number(trigger.metadata.listLength)).toBeGreaterThan(0);
      expect(find('TriggerAuthentication', trigger.authenticationRef.name)).toBeDefined();
    }
  });

  it('experience-finance (no workers) has a CPU HPA instead', () => {
    const hpa = find('HorizontalPodAutoscaler', 'experience-finance') as unknown as HorizontalPodAutoscaler;
    expect(hpa.spec?.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: 'experience-finance' });
    expect(find('ScaledObject', 'experience-finance')).toBeUndefined();
  });

  it('KEDA TriggerAuthentication takes Redis address and password from a Secret', () => {
    const auth = find('TriggerAuthentication', 'revline-redis') as unknown as {
      spec: { secretTargetRef: Array<{ parameter: string; name: string; key: string }> };
    };
    expect(auth.spec.secretTargetRef.map((r) => r.parameter).sort()).toEqual(['address', 'password']);
  });

  it('a migration Job runs scripts/migrate.mjs on the image once, never restarting in place', () => {
    const job = manifests.find((m) => m.kind === 'Job') as unknown as Job;
    const main = job.spec?.template.spec?.containers[0];
    expect(main?.command).toEqual(['node', 'scripts/migrate.mjs']);
    expect(job.spec?.template.spec?.restartPolicy).toBe('Never');
    expect(main?.env?.map((e) => e.name)).toContain('DATABASE_URL');
  });

  it('secrets are referenced by name (secretKeyRef), never inlined, and there is no Secret object', () => {
    expect(manifests.filter((m) => m.kind === 'Secret')).toEqual([]);
    const secretName = /SECRET|PASSWORD|TOKEN|PRIVATE_KEY|API_KEY|CONSUMER_KEY|DATABASE_URL|REDIS_URL/;
    const envs: IEnvVar[] = [
      ...APPS.flatMap((app) => container(app).env ?? []),
      ...((manifests.find((m) => m.kind === 'Job') as unknown as Job).spec?.template.spec?.containers[0]
        ?.env ?? []),
    ];
    const secretEnvs = envs.filter((e) => secretName.test(e.name));
    expect(secretEnvs.length).toBeGreaterThan(10);
    for (const env of secretEnvs) {
      expect(env.value, env.name).toBeUndefined();
      expect(env.valueFrom?.secretKeyRef?.name, env.name).toMatch(/^revline-/);
    }
    const config = Object.keys(find('ConfigMap', 'revline-config')?.data ?? {});
    expect(config.filter((key) => secretName.test(key))).toEqual([]);
  });

  it('NetworkPolicies deny by default and let each app reach only what it needs', () => {
    const deny = find('NetworkPolicy', 'revline-default-deny') as unknown as NetworkPolicy;
    expect(deny.spec?.podSelector).toEqual({});
    expect(deny.spec?.policyTypes).toEqual(['Ingress', 'Egress']);
    const egressPorts = (app: string) =>
      ((find('NetworkPolicy', app) as unknown as NetworkPolicy).spec?.egress ?? []).flatMap((rule) =>
        (rule.ports ?? []).map((p) => p.port),
      );
    for (const app of APPS) expect(egressPorts(app)).toEqual(expect.arrayContaining([5432, 6379]));
    expect(egressPorts('experience-finance')).toEqual(expect.arrayContaining([3001]));
    expect(egressPorts('experience-finance')).not.toContain(443);
    expect(egressPorts('process-q2c')).toEqual(expect.arrayContaining([3002, 3003, 3004]));
    for (const app of ['system-salesforce', 'system-billing', 'system-erp']) {
      expect(egressPorts(app)).toContain(443);
      expect(egressPorts(app)).not.toContain(3001);
    }
  });
});
