export { startDynalite, type Dynalite } from './dynalite.js';
export { REDIS_INSTALL_HINT, startRedisServer, type RedisServer } from './redis-server.js';
export { startS3Server, type S3Server } from './s3-server.js';
export { POSTGRES_INSTALL_HINT, postgresBinDir, startPostgres, type PostgresServer } from './postgres.js';
