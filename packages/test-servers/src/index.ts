export { startDynalite, type Dynalite } from './dynalite.js';
export { REDIS_INSTALL_HINT, startRedisServer, type RedisServer } from './redis-server.js';
export { POSTGRES_INSTALL_HINT, postgresBinDir, startPostgres, type PostgresServer } from './postgres.js';
