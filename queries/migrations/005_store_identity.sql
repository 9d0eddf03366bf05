-- The store's identity: a random id created with the store, never changed. Caches key on it
-- together with the data version, so a store file replaced by another (a rebuilt sample, a key
-- rotation) is never confused with the old one although both count versions from 1.
insert into meta (key, value)
select 'store_id', uuid()::varchar
where not exists (select 1 from meta where key = 'store_id');
