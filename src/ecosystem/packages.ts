/**
 * The ecosystem set: pinned versions of thread-heavy open-source packages (web servers,
 * task queues, SDKs, SSH, telemetry, schedulers, messaging clients), as the local
 * package index serves them. A version bump here is a change of the corpus: run
 * `npm run ecosystem -- --update-baseline` in the same commit.
 */
export interface EcosystemPackage {
  name: string;
  version: string;
}

export const PACKAGES: readonly EcosystemPackage[] = [
  { name: 'apscheduler', version: '3.11.3' },
  { name: 'botocore', version: '1.43.107' },
  { name: 'celery', version: '5.6.3' },
  { name: 'dask', version: '2026.8.0' },
  { name: 'diskcache', version: '5.6.3' },
  { name: 'docker', version: '7.2.0' },
  { name: 'elasticsearch', version: '9.5.1' },
  { name: 'execnet', version: '2.1.2' },
  { name: 'fasteners', version: '0.20' },
  { name: 'google-api-core', version: '2.40.0' },
  { name: 'grpcio', version: '1.84.0' },
  { name: 'gunicorn', version: '26.2.0' },
  { name: 'ipykernel', version: '7.4.0' },
  { name: 'joblib', version: '1.6.0' },
  { name: 'jupyter-client', version: '8.10.0' },
  { name: 'kombu', version: '5.6.2' },
  { name: 'loguru', version: '0.7.3' },
  { name: 'neo4j', version: '6.3.1' },
  { name: 'opentelemetry-sdk', version: '1.45.0' },
  { name: 'paho-mqtt', version: '2.1.0' },
  { name: 'paramiko', version: '5.0.0' },
  { name: 'posthog', version: '7.53.0' },
  { name: 'prometheus-client', version: '0.26.0' },
  { name: 'pymodbus', version: '3.15.0' },
  { name: 'pymongo', version: '4.18.2' },
  { name: 'pyserial', version: '3.5' },
  { name: 'python-can', version: '4.5.0' },
  { name: 'pyzmq', version: '27.2.0' },
  { name: 'redis', version: '8.1.0' },
  { name: 's3transfer', version: '0.19.2' },
  { name: 'tensorboardx', version: '2.6.5' },
  { name: 'tornado', version: '6.5.10' },
  { name: 'tqdm', version: '4.70.1' },
  { name: 'twisted', version: '26.4.0' },
  { name: 'urllib3', version: '2.8.0' },
  { name: 'watchdog', version: '6.0.0' },
  { name: 'websocket-client', version: '1.9.2' },
];
