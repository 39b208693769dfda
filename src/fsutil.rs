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

/// The bytes of `path` when it is a regular file. A symbolic link (or a folder, a device, a
/// pipe) is refused without being followed: a planted link could show a credentials file or
/// `/proc/self/environ` in a diff, or lend its target's mode to a new manifest.
pub fn read_regular(path: &Path) -> std::io::Result<Vec<u8>> {
    let meta = fs::symlink_metadata(path)?;
    if !meta.file_type().is_file() {
        return Err(not_regular(path, &meta));
    }
    fs::read(path)
}

fn not_regular(path: &Path, meta: &fs::Metadata) -> std::io::Error {
    let what = if meta.file_type().is_symlink() {
        "a symbolic link"
    } else if meta.is_dir() {
        "a folder"
    } else {
        "not a regular file"
    };
    std::io::Error::new(
        std::io::ErrorKind::InvalidInput,
        format!(
            "{} is {what}: clawboot reads and writes only regular files, so it is not followed; replace it with the file itself",
            path.display()
        ),
    )
}

fn replace_file(parent: &Path, path: &Path, bytes: &[u8], new_mode: u32) -> anyhow::Result<()> {
    fs::create_dir_all(parent)
        .with_context(|| format!("cannot create the folder {}", parent.display()))?;
    let mode = match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_file() => meta.permissions().mode() & 0o7777,
        Ok(meta) => return Err(not_regular(path, &meta).into()),
        Err(_) => new_mode,
    };
    let mut temp = tempfile::Builder::new()
        .prefix(".clawboot-")
        .suffix(".tmp")
        .tempfile_in(parent)
        .with_context(|| format!("cannot create a temporary file in {}", parent.display()))?;
    // The mode is set on the open file, not by path: nothing can swap the path in between.
    temp.write_all(bytes)
        .and_then(|()| {
            temp.as_file()
                .set_permissions(fs::Permissions::from_mode(mode))
        })
        .and_then(|()| temp.as_file().sync_all())
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
