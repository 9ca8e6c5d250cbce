import 'reflect-metadata';
import { bootstrapHttpApp } from '@revline/http';
import { AppModule } from './app.module';
import { APP } from './app.info';

void bootstrapHttpApp(AppModule, APP);
