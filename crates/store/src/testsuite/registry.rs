//! The shared suite's registry check: records are replaced by (kind, key), counted per kind and
//! found by a literal part of their name.

use super::t0;
use crate::Store;
use crate::model::RegistryRecord;

fn rec(kind: &str, key: &str, name: &str, data: &str) -> RegistryRecord {
    RegistryRecord {
        kind: kind.into(),
        key: key.into(),
        region_code: "370202".into(),
        name: name.into(),
        data: data.into(),
        updated_at: t0(),
    }
}

pub(super) async fn registry_records_are_replaced_and_found_by_name(store: &dyn Store) {
    let mut tx = store.begin().await.unwrap();
    tx.upsert_registry_records(&[
        rec("suite-ent", "K1", "青岛海晏测试有限公司", "{\"v\":1}"),
        rec("suite-ent", "K2", "青岛100%_测试有限公司", "{}"),
        rec("suite-per", "K1", "张三", "{}"),
    ])
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    tx.upsert_registry_records(&[rec("suite-ent", "K1", "青岛海晏测试有限公司", "{\"v\":2}")])
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.read().await.unwrap();
    let k1 = tx
        .registry_record("suite-ent", "K1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(k1.data, "{\"v\":2}");
    assert_eq!(tx.registry_record("suite-ent", "K9").await.unwrap(), None);
    assert_eq!(tx.registry_record("suite-per", "K2").await.unwrap(), None);
    assert_eq!(tx.count_registry_records("suite-ent").await.unwrap(), 2);
    let named = |v: Vec<RegistryRecord>| v.into_iter().map(|r| r.key).collect::<Vec<_>>();
    assert_eq!(
        named(
            tx.registry_records_named("suite-ent", "海晏", 10)
                .await
                .unwrap()
        ),
        ["K1"]
    );
    // `%` and `_` are matched literally, not as wildcards.
    assert_eq!(
        named(
            tx.registry_records_named("suite-ent", "0%_", 10)
                .await
                .unwrap()
        ),
        ["K2"]
    );
    assert!(
        tx.registry_records_named("suite-ent", "%", 10)
            .await
            .unwrap()
            .iter()
            .all(|r| r.name.contains('%'))
    );
    assert_eq!(
        named(
            tx.registry_records_named("suite-ent", "测试", 1)
                .await
                .unwrap()
        )
        .len(),
        1
    );
}
