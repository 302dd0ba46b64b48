-- vigie schema, version 5: org_product kept without an application-defined SQL function, so
-- that any SQLite client (the sqlite3 shell included) may insert and update `org` rows.

-- The triggers keep one row per text product of an organisation, in order, with an empty
-- name key; vigie fills the keys in C (src/core/product.h, one rule for every path) when it
-- creates or updates an organisation, and once after this migration. A row whose key is
-- still '' (written by another client) is matched against every CVE round: slower, never
-- wrong (store.h vg_store_vuln_products_for_names).
DROP TRIGGER IF EXISTS org_product_insert;
DROP TRIGGER IF EXISTS org_product_update;
CREATE TRIGGER org_product_insert AFTER INSERT ON org BEGIN
    INSERT INTO org_product(name_key, org_id, cpe)
        SELECT '', new.id, j.value FROM json_each(new.assets, '$.products') j
        WHERE j.type = 'text';
END;
CREATE TRIGGER org_product_update AFTER UPDATE OF assets ON org BEGIN
    DELETE FROM org_product WHERE org_id = old.id;
    INSERT INTO org_product(name_key, org_id, cpe)
        SELECT '', new.id, j.value FROM json_each(new.assets, '$.products') j
        WHERE j.type = 'text';
END;
-- Keys written by the former rule (vg_cpe23_name_key: punctuation at the ends kept as '_')
-- are recomputed by vigie right after this migration, in the same transaction.
UPDATE org_product SET name_key = '';
