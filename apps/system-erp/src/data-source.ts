import { appDataSourceOptions } from '@revline/platform';
import { DataSource } from 'typeorm';
import { DATABASE } from './database';

/** For the TypeORM CLI (`migration:generate`) and the migrate command: the same options Nest uses. */
export default new DataSource(appDataSourceOptions(DATABASE));
