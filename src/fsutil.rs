//! Writing files so that a crash or Ctrl-C never leaves a half-written one.

use std::collections::BTreeSet;
use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use anyhow::Context;

/// Write `bytes` to `path` atomically: a temp file in the same folder, fsync, rename, fsync the
/// folder. An existing file keeps its permissions; a new one gets `new_mode`.
pub fn write_atomic(path: &Path, bytes: &[u8], new_mode: u32) -> anyhow::Result<()> {
    write_all_atomic(&[(path, bytes)], new_mode)
}

/// Write several files, each atomically as in [`write_atomic`]; each folder is synced once,
/// after all its files are in place.
pub fn write_all_atomic(files: &[(&Path, &[u8])], new_mode: u32) -> anyhow::Result<()> {
    let mut folders = BTreeSet::new();
    for (path, bytes) in files {
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        replace_file(parent, path, bytes, new_mode)?;
        folders.insert(parent);
    }
    for folder in folders {
        fs::File::open(folder)
            .and_then(|dir| dir.sync_all())
            .with_context(|| format!("cannot sync the folder {}", folder.display()))?;
    }
    Ok(())
}

fn replace_file(parent: &Path, path: &Path, bytes: &[u8], new_mode: u32) -> anyhow::Result<()> {
    fs::create_dir_all(parent)
        .with_context(|| format!("cannot create the folder {}", parent.display()))?;
    let mode = match fs::metadata(path) {
        Ok(meta) => meta.permissions().mode() & 0o7777,
        Err(_) => new_mode,
    };
    let mut temp = tempfile::Builder::new()
        .prefix(".clawboot-")
        .suffix(".tmp")
        .tempfile_in(parent)
        .with_context(|| format!("cannot create a temporary file in {}", parent.display()))?;
    temp.write_all(bytes)
        .and_then(|()| temp.as_file().sync_all())
        .and_then(|()| fs::set_permissions(temp.path(), fs::Permissions::from_mode(mode)))
        .with_context(|| format!("cannot write {}", path.display()))?;
    temp.persist(path)
        .with_context(|| format!("cannot replace {}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_content_and_keeps_the_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b.txt");
        write_atomic(&path, b"one", 0o644).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"one");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        write_atomic(&path, b"two", 0o644).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let leftovers = fs::read_dir(path.parent().unwrap()).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary file is left behind");
    }
}
