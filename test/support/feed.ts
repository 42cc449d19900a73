/** Drives a Model the way the sources do: parse each raw object, then apply it. */
import assert from 'node:assert/strict';
import { Model, type ApplyMode, type ModelOptions } from '../../src/domain/model.js';
import { TEST_MODEL_OPTIONS as DEFAULT_MODEL_OPTIONS } from './model-options.js';
import { parseQuota } from '../../src/domain/quota.js';
import { relist } from '../../src/domain/relist.js';
import { parseSparkApplication } from '../../src/domain/spark-application.js';
import { parseSparkPod, type SparkPodView } from '../../src/domain/spark-pod.js';
import type { Obj } from './pods.js';

export class Feeder {
  readonly model: Model;
  now = Date.parse('2026-11-25T10:00:00Z');

  constructor(opts: Partial<ModelOptions> = {}) {
    this.model = new Model({ ...DEFAULT_MODEL_OPTIONS, ...opts });
  }

  view(o: Obj): SparkPodView {
    const r = parseSparkPod(o, 'team');
    assert.ok(r.ok);
    return r.value;
  }

  pod(o: Obj, mode: ApplyMode = 'watch'): void {
    this.model.pods.upsert(this.view(o), mode, this.now);
  }

  deleted(o: Obj): void {
    const v = this.view(o);
    this.model.pods.remove(v, this.now);
  }

  relist(objs: Obj[], mode: ApplyMode = 'relist') {
    return relist(this.model.pods, objs.map((o) => this.view(o)), mode, this.now);
  }

  quota(o: Obj): void {
    const r = parseQuota(o, 'team');
    assert.ok(r.ok);
    this.model.quotas.upsert(r.value);
  }

  sparkApp(o: Obj, mode: ApplyMode = 'watch'): void {
    const r = parseSparkApplication(o, 'team');
    assert.ok(r.ok);
    this.model.sparkApps.upsert(r.value, mode, this.now);
  }

  advance(ms: number): void {
    this.now += ms;
    this.model.tick(this.now);
  }

  app(appId = 'spark-0123456789abcdef0123456789abcdef', ns = 'analytics') {
    const a = this.model.pods.apps.get(`${ns}/${appId}`);
    assert.ok(a, `app ${ns}/${appId} tracked`);
    return a;
  }

  exits(reason: string, appId?: string): number {
    const reasons = ['completed', 'oom_killed', 'error', 'evicted', 'preempted', 'deleted'];
    return this.app(appId).exits[reasons.indexOf(reason)] ?? NaN;
  }

  oom(role = 'executor', container = 'spark-kubernetes-executor', appId?: string): number {
    return this.app(appId).ooms.get(`${role}\u0000${container}`) ?? 0;
  }
}
